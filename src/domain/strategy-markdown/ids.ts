// Recognises the ids and numbered labels people put in front of objectives, key results and non-goals.
// An id token written in the document ("O2", "KR2.3", "G1-KR1", "NG4") is kept verbatim; a numbered
// label ("Objective 3", "Key result 2", "Non-goal 1") fixes the number of an assigned id; otherwise the
// id is assigned later, in document order.

/** `id` is a kept token, `number` a number to build an assigned id from; both null when neither was given. */
export interface Labelled { id: string | null; number: string | null; title: string; labelled: boolean }

const TAIL = String.raw`(?:\s*[:.)|]\s*|\s+[—–-]+\s*|\s*[—–]\s*|\s+|$)(.*)$`;

const OBJ_TOKEN = new RegExp(String.raw`^((?:O|G|Z|OBJ|Obj|OKR|Okr)[-.]?\d{1,3}[a-z]?)(?![\w.-]*\d*[-.]?(?:KR|SE|RC)\d)` + TAIL, 'u');
const SEP_ALT = String.raw`\s*[:.)|]\s*|\s+[—–-]+\s*|\s*[—–]\s*`;
// A number may be followed by plain whitespace ("Ziel 1 Mehr Umsatz"); a bare keyword needs a real
// separator, so prose such as "Goal setting works like this" is not an objective.
const OBJ_WORD = new RegExp(
  String.raw`^(?:strategic\s+|company\s+|strategisches\s+)?(?:objective|objetivo|objectif|goal|ziel|okr|obj\.?|meta)` +
    String.raw`(?:\s*#?\s*(\d{1,3})(?!\w)(?:${SEP_ALT}|\s+|$)|\s+[A-Z](?:${SEP_ALT})|${SEP_ALT}|$)(.*)$`,
  'iu',
);

const KR_TOKEN = new RegExp(
  String.raw`^((?:[A-Z]{1,4}[-.]?\d{1,3}[-.]?)?(?:KR|SE|RC)\s?[-#]?\s?\d{1,3}(?:\.\d{1,3})*[a-z]?)(?![\w])` + TAIL,
  'u',
);
const KR_WORD = new RegExp(
  String.raw`^(?:key\s+result|schlüsselergebnis|resultado\s+clave|kr)(?:\s*#?\s*(\d{1,3})(?!\w)(?:${SEP_ALT}|\s+|$)|${SEP_ALT}|$)(.*)$`,
  'iu',
);
const NG_TOKEN = new RegExp(String.raw`^(NG[-.]?\d{1,3}[a-z]?)(?![\w])` + TAIL, 'u');
const NG_WORD = new RegExp(
  String.raw`^(?:non[\s-]?goal|nicht[\s-]?ziel|no[\s-]objetivo|anti[\s-]?goal)\s*#?\s*(\d{1,3})(?:\s*[:.)|]\s*|\s+[—–-]+\s*|\s*[—–]\s*|\s+|$)(.*)$`,
  'iu',
);

const compact = (id: string) => id.replace(/\s+/g, '');
const cleanTitle = (t: string) => t.replace(/^[\s:.)|—–-]+/, '').trim();

/** "O2 — Title", "Objective 3: Title", "Goal: Title", "Ziel 1 Title"; null when the text is not labelled as an objective. */
export function matchObjective(text: string): Labelled | null {
  const tok = OBJ_TOKEN.exec(text);
  if (tok) return { id: compact(tok[1] ?? ''), number: null, title: cleanTitle(tok[2] ?? ''), labelled: true };
  const word = OBJ_WORD.exec(text);
  if (word) {
    const n = word[1] && /^\d+$/.test(word[1]) ? word[1] : null;
    return { id: null, number: n, title: cleanTitle(word[2] ?? ''), labelled: true };
  }
  return null;
}

/** "KR2.3 Title", "G1-KR1: Title", "Key result 2 — Title", "KR: Title"; null when not labelled as a key result. */
export function matchKeyResult(text: string): Labelled | null {
  const tok = KR_TOKEN.exec(text);
  if (tok) return { id: compact(tok[1] ?? ''), number: null, title: cleanTitle(tok[2] ?? ''), labelled: true };
  const word = KR_WORD.exec(text);
  if (word) return { id: null, number: word[1] ?? null, title: cleanTitle(word[2] ?? ''), labelled: true };
  return null;
}

/** "NG3 — Text", "Non-goal 2: Text"; otherwise the whole text with no id. */
export function matchNonGoal(text: string): Labelled {
  const tok = NG_TOKEN.exec(text);
  if (tok) return { id: compact(tok[1] ?? ''), number: null, title: cleanTitle(tok[2] ?? ''), labelled: true };
  const word = NG_WORD.exec(text);
  if (word) return { id: null, number: word[1] ?? null, title: cleanTitle(word[2] ?? ''), labelled: true };
  return { id: null, number: null, title: text.trim(), labelled: false };
}

/** A bare, objective-less key result id such as "KR1" or "KR 2" (qualified when it repeats across objectives). */
export function isBareKrId(id: string): boolean {
  return /^KR[-#]?\d{1,3}$/i.test(id);
}

/** An id written at the end of a title: "Faster payouts (O2)". */
export function trailingObjectiveId(title: string): { id: string; title: string } | null {
  const m = /^(.*\S)\s*\(((?:O|G|OBJ|OKR)[-.]?\d{1,3})\)\s*$/u.exec(title);
  return m ? { id: m[2] ?? '', title: m[1] ?? '' } : null;
}
