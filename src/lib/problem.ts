// One error model: a closed set of codes that use-cases throw and the HTTP layer renders as RFC 9457
// application/problem+json (src/http/problem.ts). Validation failures carry one entry per problem naming the field
// (`location`) and why (`message`).

export const PROBLEM_CODES = {
  validation_failed: { status: 400, title: 'Request validation failed' },
  malformed_body: { status: 400, title: 'Malformed request body' },
  unauthorized: { status: 401, title: 'Missing or invalid API key' },
  forbidden: { status: 403, title: 'API key lacks the required scope' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  unprocessable: { status: 422, title: 'Unprocessable content' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  internal: { status: 500, title: 'Internal server error' },
} as const;
export type ProblemCode = keyof typeof PROBLEM_CODES;

export interface FieldError {
  location: string;
  message: string;
}

/** Thrown anywhere below a route; the app's error handler renders it. */
export class Problem extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}
