import type { ApiError } from './errors.ts';

/**
 * Real error bodies that `tests/fixtures/errors/openai_error_examples.json` lacks, usable as
 * `{ kind: 'error', error: <id> }` like the fixture's ids.
 */
export const extraErrors: Record<string, ApiError> = {
  // Reported verbatim by users blocked by region: aurora-develop/Duck2api#33 and continuedev/continue#11449.
  '403_unsupported_country_region_territory': {
    status: 403,
    body: {
      error: {
        code: 'unsupported_country_region_territory',
        message: 'Country, region, or territory not supported',
        param: null,
        type: 'request_forbidden',
      },
    },
  },
  // The second message of the fixture's `429_rate_limit_reached_tpm_message_only` (continuedev/continue#10502),
  // completed with the type/param/code of every real TPM `rate_limit_exceeded` body, for retry-hint tests.
  '429_rate_limit_reached_try_again': {
    status: 429,
    body: {
      error: {
        message:
          'Rate limit reached for gpt-4.1 in organization org-vyUrKHsIdLcZGKR3zqCqllrS on tokens per min (TPM): Limit 30000, Used 28039, Requested 3906. Please try again in 3.89s. Visit https://platform.openai.com/account/rate-limits to learn more.',
        type: 'tokens',
        param: null,
        code: 'rate_limit_exceeded',
      },
    },
  },
  // A tool whose parameters lack `properties`, as the API answered evalstate/fast-agent#143 (Chat Completions).
  '400_invalid_function_parameters': {
    status: 400,
    body: {
      error: {
        message:
          "Invalid schema for function 'mongodb-list-databases': In context=(), object schema missing properties.",
        type: 'invalid_request_error',
        param: 'tools[1].function.parameters',
        code: 'invalid_function_parameters',
      },
    },
  },
};
