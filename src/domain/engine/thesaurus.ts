// A small, general thesaurus of business/software words that mean nearly the same thing in a backlog.
// Word vectors catch most near-synonyms; these groups cover pairs that 100-d vectors rate only weakly
// (e.g. "churn" vs "cancellation"). Matches through the thesaurus count less than exact matches (lexical.ts).
import { stemEnglish } from './tokens.ts';

const GROUPS: readonly string[] = [
  'churn cancel cancellation cancellations attrition unsubscribe',
  'retention retain renewal renew renewals',
  'signup registration register enrol enroll enrollment',
  'login signin authentication sso',
  'revenue income arr mrr',
  'customer client',
  'bug defect glitch regression',
  'slow latency lag sluggish',
  'crash outage downtime',
  'price pricing',
  'invoice bill billing',
  'payment checkout',
  'employee staff worker personnel',
  'hire hiring recruit recruiting',
  'document documentation doc',
  'report reporting dashboard analytics',
  'notification notify reminder alert',
  'conversion convert',
  'activation activate',
  'adoption adopt',
  'engagement engage',
  'translation localization localisation locale i18n',
  'setup configuration configure config',
  'template preset',
  'speed fast faster quick quicker',
  'search find lookup',
  'mobile ios android app',
  'integration connector',
  'permission role access',
  'delete deletion remove removal',
  'export download',
  'import upload',
  'schedule calendar',
  'order purchase',
  'delivery shipping shipment',
  'refund chargeback',
  'subscription plan',
  'trial freemium',
  'support helpdesk',
  'complete completion finish',
  // Named members of a category that 100-d news vectors do not know as such (the category word is often
  // missing from the table): a ban on the category covers them.
  'cryptocurrency cryptocurrencies crypto bitcoin ethereum stablecoin blockchain',
];

const related = new Map<string, string[]>();
for (const g of GROUPS) {
  const stems = [...new Set(g.split(' ').map((w) => stemEnglish(w)))];
  for (const s of stems) {
    const others = stems.filter((o) => o !== s);
    related.set(s, [...new Set([...(related.get(s) ?? []), ...others])].sort());
  }
}

/** Stems the thesaurus treats as near-synonyms of `stem` (never includes `stem` itself). */
export function relatedStems(stem: string): readonly string[] {
  return related.get(stem) ?? [];
}
