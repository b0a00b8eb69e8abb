import { median } from "../../claude-home/bench/Child.js"
console.log(median([1, 2, 3]))
