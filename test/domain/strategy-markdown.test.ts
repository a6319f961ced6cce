import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StrategyInput } from '../../src/domain/contracts.ts';
import { parseStrategyMarkdown } from '../../src/domain/strategy-markdown.ts';
import { extractValues, normalizeDate } from '../../src/domain/strategy-markdown/values.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/strategies/${name}`, import.meta.url), 'utf8');
const kr = (id: string, title: string, metric: string | null, baseline: string | null, target: string | null, due: string | null, current: string | null = null) => ({
  id, title, metric, baseline, target, current, due,
});

describe('parseStrategyMarkdown — full documents', () => {
  it('logistics: inline North Star line, "O1 —" headings, bullet KRs, repeated KR1 ids qualified', () => {
    expect(parseStrategyMarkdown(fixture('freight-logistics.md'))).toEqual({
      north_star: {
        name: 'On-time pallet deliveries per week',
        definition: "The number of pallets delivered inside the customer's booked two-hour window, counted weekly across all depots.",
      },
      objectives: [
        {
          id: 'O1',
          title: 'Trucks leave the dock on time',
          description: 'Departures that miss their slot cascade into missed delivery windows downstream. Dock scheduling is still done on whiteboards in most depots.',
          key_results: [
            kr('O1.KR1', 'Share of trucks departing within 15 minutes of their slot from 71% to 90% by 2027-03-31', 'Share of trucks departing within 15 minutes of their slot', '71%', '90%', '2027-03-31'),
            kr('O1.KR2', 'Median dock dwell time: 94 → 45 minutes by 30 Jun 2027', 'Median dock dwell time', '94 minutes', '45 minutes', '2027-06-30'),
            kr('O1.KR3', 'Depots running digital dock scheduling: 3 → 14', 'Depots running digital dock scheduling', '3', '14', null),
          ],
        },
        {
          id: 'O2',
          title: 'Shippers can see where their freight is',
          description: null,
          key_results: [
            kr('O2.KR1', 'Shipments with a live tracking link sent to the consignee — baseline 12%, target 80%, due Q2 2027', 'Shipments with a live tracking link sent to the consignee', '12%', '80%', 'Q2 2027'),
            kr('O2.KR2', 'Reduce "where is my shipment" calls from 4,100 to 1,500 per month by 2027-06-30', '"where is my shipment" calls', '4,100', '1,500', '2027-06-30'),
          ],
        },
      ],
      non_goals: [
        { id: 'NG1', text: 'We will not open new depots this fiscal year.' },
        { id: 'NG2', text: 'No own-brand last-mile vans; partner carriers cover the final mile.' },
      ],
      principles: ['Safety before speed.', 'Every change is piloted in one depot before rollout.'],
      warnings: ['key result ids such as "KR1" repeat across objectives; they were prefixed with their objective id (O1.KR1)'],
    });
  });

  it('hospital software: front matter, setext headings, OKRs container, tables in any column order, G1-KR1 ids kept', () => {
    const s = parseStrategyMarkdown(fixture('clinic-software.md'));
    expect(s.north_star).toEqual({
      name: 'hours of nursing time returned to bedside care per month across all customer wards',
      definition: 'hours of nursing time returned to bedside care per month across all customer wards.',
    });
    expect(s.objectives.map((o) => [o.id, o.title])).toEqual([
      ['G1', 'Bed turnover without phone calls'],
      ['G2', 'Schedules nurses trust'],
    ]);
    expect(s.objectives[0]!.key_results).toEqual([
      kr('G1-KR1', 'Beds released to housekeeping from the tablet app', null, '20%', '85%', '2026-12-31'),
      kr('G1-KR2', 'Median time from discharge to bed ready', null, '110 min', '40 min', '2027-03-31'),
    ]);
    expect(s.objectives[1]!.key_results).toEqual([
      kr('G2.KR1', 'Shift swaps approved inside the app', null, null, '75%', '2027-03-31', '35%'),
      kr('G2.KR2', 'Rosters published four weeks ahead', null, null, '95%', 'Q1 2027', '50%'),
    ]);
    expect(s.non_goals).toEqual([
      { id: 'NG1', text: 'Electronic patient records — we integrate, we do not build one.' },
      { id: 'NG2', text: 'Billing and claims.' },
    ]);
    expect(s.warnings).toEqual([]);
  });

  it('game studio: numbered KRs under a bold "Key results:" line, KR2.3-style ids kept, "Stop doing", no principles', () => {
    const s = parseStrategyMarkdown(fixture('game-studio.md'));
    expect(s.north_star).toEqual({ name: 'Day-30 retained players', definition: 'Players still active 30 days after install, summed over all live titles.' });
    expect(s.objectives.map((o) => o.key_results.map((k) => k.id))).toEqual([
      ['KR1.1', 'KR1.2', 'KR1.3'],
      ['KR2.1', 'KR2.2', 'KR2.3'],
    ]);
    expect(s.objectives[0]!.title).toBe('Players come back after the first week');
    expect(s.objectives[0]!.key_results[0]).toEqual(kr('KR1.1', 'Day-7 retention from 18% to 26% by 2026-09-30', 'Day-7 retention', '18%', '26%', '2026-09-30'));
    expect(s.objectives[0]!.key_results[2]).toMatchObject({ target: '85%', baseline: null });
    expect(s.objectives[1]!.key_results[1]).toMatchObject({ baseline: '14 s', target: '6 s', due: '2026-08-31' });
    expect(s.objectives[1]!.key_results[2]).toMatchObject({ id: 'KR2.3', baseline: '120', target: '40' });
    expect(s.non_goals.map((n) => n.id)).toEqual(['NG1', 'NG2']);
    expect(s.non_goals[0]!.text).toBe('Seasonal events for titles with fewer than 5,000 daily players. They cost a sprint each and do not move retention.');
    expect(s.principles).toEqual([]);
    expect(s.warnings).toEqual([]);
  });

  it('German: Ziele / Ziel 1 / Schlüsselergebnisse table with German headers / Nicht-Ziele / Prinzipien / Nordstern', () => {
    const s = parseStrategyMarkdown(fixture('maschinenbau-de.md'));
    expect(s.north_star?.name).toBe('Termintreue Lieferungen pro Quartal');
    expect(s.objectives.map((o) => [o.id, o.title])).toEqual([
      ['O1', 'Aufträge schneller bestätigen'],
      ['O2', 'Weniger Reklamationen'],
    ]);
    expect(s.objectives[0]!.key_results).toEqual([
      kr('O1.KR1', 'Automatisch bestätigte Standardaufträge', null, '10 %', '70 %', '2026-12-31'),
      kr('O1.KR2', 'Durchschnittliche Bestätigungszeit', null, '3 Tage', '4 Stunden', '2027-03-31'),
    ]);
    expect(s.objectives[1]!.key_results[0]).toEqual(kr('O2.KR1', 'Reklamationsquote von 2,4 % auf 1,2 % bis 31.12.2026', 'Reklamationsquote', '2,4 %', '1,2 %', '2026-12-31'));
    expect(s.objectives[1]!.key_results[1]).toMatchObject({ target: '100 %' });
    expect(s.non_goals).toEqual([
      { id: 'NG1', text: 'Keine eigene Webshop-Entwicklung.' },
      { id: 'NG2', text: 'Kein Einstieg in das Ersatzteilgeschäft für Fremdgetriebe.' },
    ]);
    expect(s.principles).toEqual(['Qualität vor Menge.', 'Entscheidungen fallen mit Daten, nicht nach Bauchgefühl.']);
  });

  it('Spanish: Objetivos / Objetivo 1 / RC ids kept / "de X a Y para el …" / No haremos / Principios', () => {
    const s = parseStrategyMarkdown(fixture('retail-es.md'));
    expect(s.objectives.map((o) => o.title)).toEqual(['Entregas a domicilio más rápidas', 'Más clientes recurrentes']);
    expect(s.objectives[0]!.key_results[0]).toEqual(
      kr('RC1', 'Pedidos entregados el mismo día de 35% a 60% para el 30 de junio de 2026', 'Pedidos entregados el mismo día', '35%', '60%', '2026-06-30'),
    );
    expect(s.objectives[0]!.key_results[1]).toMatchObject({ id: 'RC2', baseline: '40 minutos', target: '15 minutos' });
    expect(s.objectives[1]!.key_results[0]).toMatchObject({ id: 'O2.KR1', baseline: '8%', target: '15%' });
    expect(s.non_goals.map((n) => n.text)).toEqual(['No abriremos tiendas físicas nuevas en 2026.', 'No desarrollaremos una app propia de pagos.']);
    expect(s.principles).toEqual(['El cliente primero.']);
  });

  it('a numbered list under "Goals" gives objectives with nested key results; no non-goals section is fine', () => {
    const s = parseStrategyMarkdown(fixture('goals-list.md'));
    expect(s.objectives).toEqual([
      {
        id: 'O1',
        title: 'Teachers finish course setup in one sitting',
        description: null,
        key_results: [
          kr('O1.KR1', 'Median setup time from 55 minutes to 20 minutes', 'Median setup time', '55 minutes', '20 minutes', null),
          kr('O1.KR2', 'Setup wizard completion: 40% → 75% by 2026-11-30', 'Setup wizard completion', '40%', '75%', '2026-11-30'),
        ],
      },
      { id: 'O2', title: 'Parents read the weekly digest', description: null, key_results: [kr('O2.KR1', 'Digest open rate 22% → 45%', 'Digest open rate', '22%', '45%', null)] },
    ]);
    expect(s.non_goals).toEqual([]);
    expect(s.principles).toEqual(["Student data never leaves the district's region."]);
  });

  it('reports everything it could not place, with line numbers', () => {
    const s = parseStrategyMarkdown(fixture('messy.md'));
    expect(s.warnings).toEqual([
      'line 1: list item outside any section',
      'line 3: key result outside any objective',
      'line 9: 2 list items under "Strategic bets" not placed (not an objective, key result, non-goal or principle section)',
      'line 12: objective heading without a title',
      'line 18: table row without a key result title',
      'line 19: table row without a key result title',
    ]);
    // "Objective 2" keeps its number although "Objective 1" was dropped; a "Measures" section right after it belongs to it.
    expect(s.objectives.map((o) => [o.id, o.title, o.key_results.map((k) => k.title)])).toEqual([
      ['O2', 'Members order online', ['Online orders per member per month', 'Member satisfaction score from 7.1 to 8.0']],
    ]);
  });

  it('every fixture produces a strategy the contract schema accepts', () => {
    for (const f of ['freight-logistics.md', 'clinic-software.md', 'game-studio.md', 'maschinenbau-de.md', 'retail-es.md', 'goals-list.md', 'messy.md']) {
      expect(StrategyInput.safeParse(parseStrategyMarkdown(fixture(f))).success, f).toBe(true);
    }
  });
});

describe('parseStrategyMarkdown — smaller shapes', () => {
  it('keeps given objective ids and assigns the others in document order', () => {
    const s = parseStrategyMarkdown('## Objectives\n### O7 — Alpha\n- Up 1 → 2\n### Beta\n- Down 5 → 3\n');
    expect(s.objectives.map((o) => [o.id, o.title, o.key_results[0]?.id])).toEqual([
      ['O7', 'Alpha', 'O7.KR1'],
      ['O2', 'Beta', 'O2.KR1'],
    ]);
  });

  it('reads labelled KR fields from nested bullets and from following lines', () => {
    const md = ['# Objective: Faster refunds', '', '- KR1: Refund turnaround', '  - Baseline: 6 days', '  - Target: 1 day', '  - Due: 31 Oct 2026', '  - Owner: payments'].join('\n');
    expect(parseStrategyMarkdown(md).objectives[0]!.key_results[0]).toEqual(kr('KR1', 'Refund turnaround', null, '6 days', '1 day', '2026-10-31'));
  });

  it('understands KR headings with their fields below', () => {
    const md = '## Objective 1: Cleaner data\n### KR1.1 Duplicate supplier records\nBaseline: 1,200\nTarget: 100\n';
    expect(parseStrategyMarkdown(md).objectives[0]!.key_results).toEqual([kr('KR1.1', 'Duplicate supplier records', null, '1,200', '100', null)]);
  });

  it('takes non-goals from paragraphs when the section has no list, and keeps NG ids', () => {
    const md = '## Goal: Ship the beta\n- Beta users 0 → 500\n\n## We will not\n\nNG3: Build a desktop client.\n\n## Out of scope\n\nCustom integrations for single customers.\n';
    expect(parseStrategyMarkdown(md).non_goals).toEqual([
      { id: 'NG3', text: 'Build a desktop client.' },
      { id: 'NG2', text: 'Custom integrations for single customers.' },
    ]);
  });

  it('uses the first line of text when an objective heading has no title, and says so', () => {
    const s = parseStrategyMarkdown('## Objective 4\n\nCut warehouse picking errors in half.\n\n- Picking error rate 1.2% → 0.6%\n');
    expect(s.objectives[0]).toMatchObject({ id: 'O4', title: 'Cut warehouse picking errors in half.' });
    expect(s.warnings).toEqual(['line 3: objective heading without a title; used the first line of its text']);
  });

  it('strips inline markup from titles and values', () => {
    const s = parseStrategyMarkdown('## O1: *Happier* **drivers**\n- **KR1** `Driver churn` [rate](https://example.test): __30%__ → _15%_\n');
    expect(s.objectives[0]!.title).toBe('Happier drivers');
    expect(s.objectives[0]!.key_results[0]).toMatchObject({ id: 'KR1', title: 'Driver churn rate: 30% → 15%', baseline: '30%', target: '15%' });
  });

  it('a table with an Objective column creates the objectives it names', () => {
    const md = '| Objective | Key result | Baseline | Target |\n|---|---|---|---|\n| Grow repeat orders | Repeat rate | 20% | 35% |\n| | Orders per customer | 1.4 | 2 |\n| Lower costs | Cost per order | $4.10 | $3.20 |\n';
    const s = parseStrategyMarkdown(md);
    expect(s.objectives.map((o) => [o.id, o.title, o.key_results.map((k) => `${k.id} ${k.baseline}→${k.target}`)])).toEqual([
      ['O1', 'Grow repeat orders', ['O1.KR1 20%→35%', 'O1.KR2 1.4→2']],
      ['O2', 'Lower costs', ['O2.KR1 $4.10→$3.20']],
    ]);
  });
});

describe('parseStrategyMarkdown — garbage', () => {
  it('empty input: no objectives, one warning', () => {
    expect(parseStrategyMarkdown('')).toEqual({ north_star: null, objectives: [], non_goals: [], principles: [], warnings: ['no objectives found'] });
  });

  it('only prose: no objectives', () => {
    const s = parseStrategyMarkdown('We had a good year. Next year we want to do even better, together, as one team.\n\nThanks everyone.');
    expect(s.objectives).toEqual([]);
    expect(s.warnings).toEqual(['no objectives found']);
  });

  it('random bytes: does not throw, reports the binary content', () => {
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) % 256);
    const s = parseStrategyMarkdown(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
    expect(s.objectives).toEqual([]);
    expect(s.warnings?.some((w) => /control or binary/.test(w))).toBe(true);
  });

  it('a large document stays fast', () => {
    const section = (i: number) => `## Objective ${i}: Topic ${i}\n\nSome text about it.\n\n- KR${i}.1 Metric ${i} from ${i}% to ${i + 10}% by 2026-12-31\n`;
    const md = Array.from({ length: 150 }, (_, i) => section(i + 1)).join('\n') + 'x'.repeat(200_000);
    const t0 = performance.now();
    const s = parseStrategyMarkdown(md);
    expect(s.objectives).toHaveLength(150);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('never throws on arbitrary strings and always returns contract-shaped output (property)', () => {
    const mdish = fc.array(
      fc.oneof(
        fc.constantFrom('# ', '## ', '### ', '- ', '1. ', '| ', '|---|---|', '**', '_', '`', '---', '===', '> ', '\n', '\n\n', 'KR1.1 ', 'O1: ', 'Objective 2: ', 'Non-goals', 'Key results:', '58% → 75%', 'from 9 to 3 days', 'by 2026-12-31', '  '),
        fc.string(),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), mdish.map((parts) => parts.join(''))), (text) => {
        const s = parseStrategyMarkdown(text);
        expect(Array.isArray(s.objectives)).toBe(true);
        expect(Array.isArray(s.warnings)).toBe(true);
        if (s.objectives.length) expect(StrategyInput.safeParse(s).success).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('values', () => {
  it.each([
    ['Churn 5% -> 3%', { baseline: '5%', target: '3%' }],
    ['Reduce wait from 9 days to 3 days by 2026-12-31', { baseline: '9 days', target: '3 days', due: '2026-12-31' }],
    ['Quote von 12 % auf 20 % bis 30.06.2027', { baseline: '12 %', target: '20 %', due: '2027-06-30' }],
    ['Tiempo de 12 minutos a 4 minutos para el 31 de marzo de 2027', { baseline: '12 minutos', target: '4 minutos', due: '2027-03-31' }],
    ['Uptime target 99.95% (current 99.7%)', { target: '99.95%', current: '99.7%' }],
    ['Ship the API by Dec 1, 2026', { due: '2026-12-01', target: null }],
  ])('%s', (text, expected) => {
    expect(extractValues(text)).toMatchObject(expected);
  });

  it('normalises full dates, keeps partial ones', () => {
    expect(normalizeDate('31 Dec 2026')).toBe('2026-12-31');
    expect(normalizeDate('March 3, 2027')).toBe('2027-03-03');
    expect(normalizeDate('1.4.2027')).toBe('2027-04-01');
    expect(normalizeDate('Q3 2026')).toBe('Q3 2026');
  });
});
