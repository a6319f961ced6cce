import { describe, expect, it } from 'vitest';
import { parseBacklogCsv, parseCsv, splitLabels } from '../../src/domain/backlog-csv.ts';

describe('CSV backlog', () => {
  it('parses quoted fields with commas, escaped quotes and embedded newlines (RFC 4180)', () => {
    const { rows, error } = parseCsv('a,b,c\r\n"x, y","say ""hi""","line1\nline2"\r\n');
    expect(error).toBeNull();
    expect(rows).toEqual([['a', 'b', 'c'], ['x, y', 'say "hi"', 'line1\nline2']]);
  });

  it('maps tracker headers, numbers and labels split on ; or ,', () => {
    const csv = 'Key,Summary,Story Points,Labels,Parent,Extra\nB-1,"Bake, then sell",5,"bread; waste",B-0,ignored\nB-2,Second,,"a,b",,\n';
    const r = parseBacklogCsv(csv);
    expect(r.errors).toEqual([]);
    expect(r.items[0]).toMatchObject({ id: 'B-1', title: 'Bake, then sell', estimate_points: 5, labels: ['bread', 'waste'], parent_id: 'B-0' });
    expect(r.items[0]).not.toHaveProperty('Extra');
    expect(r.items[1]).toMatchObject({ id: 'B-2', estimate_points: null, labels: ['a', 'b'], parent_id: null });
    expect(r.lines).toEqual([2, 3]);
    expect(splitLabels(' x ; ;y ')).toEqual(['x', 'y']);
  });

  it('reports an unterminated quote and a missing id column with their line', () => {
    expect(parseBacklogCsv('id,title\n1,"open').errors[0]).toEqual({ line: 2, message: 'unterminated quoted field' });
    expect(parseBacklogCsv('name,title\nx,y').errors[0]!.message).toMatch(/no id column/);
  });
});
