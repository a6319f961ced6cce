// POST /v1/ask: a cited answer about an item, the strategy or the portfolio — JSON, or Server-Sent Events when the
// client sends `Accept: text/event-stream` (events `token`, `citation`, and always last `done` with the full answer).
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { Deps } from '../../deps.ts';
import { MAX_QUESTION_CHARS, prepareAsk, type AskResult } from '../../pipeline/ask.ts';
import { authOf, requireScope } from '../auth.ts';
import { accepts } from '../middleware.ts';
import { problemResponses } from '../schemas.ts';

export const CitationSchema = z
  .object({
    ref: z.string().openapi({ description: 'the marker in the answer text, `[ref]`: a passage id, or `item:<id>`' }),
    source: z.enum(['strategy', 'item']),
    kind: z.enum(['north_star', 'objective', 'key_result', 'non_goal', 'principle', 'item']),
    strategy_version: z.number().int().nullable(),
    passage_id: z.string().nullable().openapi({ description: 'the strategy passage (GET /v1/strategy counts them)' }),
    goal_id: z.string().nullable().openapi({ description: 'the objective, key result or non-goal the passage states' }),
    item_id: z.string().nullable(),
    quote: z.string().openapi({ description: 'verbatim text of the passage (or of the item title)' }),
  })
  .openapi('Citation');

export const AnswerSchema = z
  .object({
    thread_id: z.string().nullable().openapi({ description: 'send it as thread_id to ask a follow-up' }),
    answer: z.string(),
    citations: z.array(CitationSchema),
    mode: z.enum(['model', 'deterministic']).openapi({ description: "model: written by the configured provider; deterministic: Bearing's extractive answer" }),
    intent: z.enum(['item', 'stop', 'coverage', 'portfolio', 'strategy']),
    item: z.object({ id: z.string(), source: z.string().nullable(), title: z.string() }).nullable(),
    confidence: z.enum(['high', 'medium', 'low']),
    strategy_version: z.number().int(),
    run_id: z.string().nullable().openapi({ description: 'the finished run the answer read (scores, suggestions, portfolio)' }),
    retrieval: z.enum(['vector', 'lexical', 'none']),
    model: z.string().nullable(),
    prompt_version: z.string().nullable(),
    fallback_reason: z
      .enum(['provider_error', 'provider_timeout', 'no_valid_citations', 'unknown_goal'])
      .nullable()
      .openapi({ description: "why a configured provider's answer was not used (unknown_goal: it named a goal the strategy does not have)" }),
    replaces_streamed_text: z.boolean().openapi({ description: 'SSE: tokens of a failed model answer were streamed; `answer` replaces them' }),
  })
  .openapi('Answer');

const AskBody = z
  .object({
    question: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(MAX_QUESTION_CHARS, `at most ${MAX_QUESTION_CHARS} characters`)
      .openapi({ example: 'Why does this matter?' }),
    item_id: z.string().min(1).max(256).optional().openapi({ description: 'the item the question is about (your id)' }),
    source: z.string().max(64).optional().openapi({ description: 'with item_id: picks between items of different sources sharing the id' }),
    thread_id: z.string().min(1).max(128).optional().openapi({ description: 'continue this thread (a follow-up keeps its item and earlier turns)' }),
    team: z.string().min(1).max(256).optional().openapi({ description: 'portfolio questions: only this team (e.g. "what should my team stop?")' }),
  })
  .openapi('AskRequest');

const askRoute = createRoute({
  method: 'post',
  path: '/v1/ask',
  tags: ['ask'],
  summary: 'Ask why an item matters (or what to stop, which key results have no work…): a cited answer',
  description:
    'Answers from the active strategy (passages retrieved with pgvector), the item’s latest score and evidence, its epic and ' +
    'near-duplicates, and the latest finished run’s suggestions and portfolio. Every citation names an existing passage (or item) ' +
    'and quotes it verbatim. With a provider configured the model writes the answer (its citations are checked); without one, or ' +
    'when it fails, the answer is deterministic. `Accept: text/event-stream` streams `token` and `citation` events and ends with ' +
    '`done` (the full answer, as the JSON response). Needs the `read` scope (so chat assistants with read-only keys can ask), yet ' +
    'it writes: it stores the question and answer in a thread of the workspace (a new one, or `thread_id`), which the workspace\'s ' +
    'keys can list (GET /v1/threads) and a `write` key can delete.',
  middleware: [requireScope('read'), accepts('application/json')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: AskBody } } } },
  responses: {
    200: {
      description: 'The answer (JSON), or its event stream',
      content: {
        'application/json': { schema: AnswerSchema },
        'text/event-stream': { schema: z.string().openapi({ description: 'event: token|citation|done, data: JSON' }) },
      },
    },
    ...problemResponses(400, 401, 403, 404, 409, 415),
  },
});

const wantsStream = (accept: string | undefined) => !!accept && /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(accept);

export function registerAskRoutes(app: OpenAPIHono, deps: Deps): void {
  app.openapi(askRoute, async (c) => {
    const auth = authOf(c);
    const body = c.req.valid('json');
    const prepared = await prepareAsk(deps, {
      workspaceId: auth.workspaceId,
      question: body.question,
      itemId: body.item_id,
      source: body.source,
      threadId: body.thread_id,
      team: body.team,
    });
    if (wantsStream(c.req.header('accept'))) {
      const signal = c.req.raw.signal;
      return streamSSE(c, async (stream) => {
        for await (const e of prepared.events(signal)) {
          await stream.writeSSE({ event: e.type, data: JSON.stringify(e.data) });
        }
      }) as never;
    }
    let done: AskResult | null = null;
    for await (const e of prepared.events()) if (e.type === 'done') done = e.data;
    return c.json(done!, 200);
  });
}
