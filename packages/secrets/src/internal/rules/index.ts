/**
 * Our rules, in the order they run (the order does not change the findings).
 */
import { azure } from "./azure.js"
import { databaseUrl } from "./databaseUrl.js"
import { dotenv } from "./dotenv.js"
import { gcpApiKey, googleOauth } from "./google.js"
import { jwt } from "./jwt.js"
import { npmrcAuth } from "./npmrc.js"
import { privateKey } from "./privateKey.js"
import type { Rule } from "./rule.js"
import { secretAssignment } from "./secretAssignment.js"
import { stripe } from "./stripe.js"
import {
  age,
  anthropicKey,
  awsSecretKey,
  digitalocean,
  discordWebhook,
  gitlabToken,
  openaiKey,
  openrouter,
  pypi,
  telegramBot,
  twilio
} from "./tokens.js"

export const rules: ReadonlyArray<Rule> = [
  privateKey,
  openaiKey,
  anthropicKey,
  gitlabToken,
  awsSecretKey,
  stripe,
  azure,
  gcpApiKey,
  googleOauth,
  jwt,
  databaseUrl,
  npmrcAuth,
  pypi,
  telegramBot,
  digitalocean,
  twilio,
  openrouter,
  discordWebhook,
  age,
  dotenv,
  secretAssignment
]
