/**
 * What the billing context offers other contexts. Anything not exported here is the context's own:
 * the ESLint layer rule refuses an import from another context past this file.
 */
export { CREDIT_LEDGER, type CreditLedger } from "./credit-ledger.js";
export { GENERATION_COST, TRANSCODE_CREDITS_PER_MINUTE, transcodeCost } from "../domain/credit-rules.js";
