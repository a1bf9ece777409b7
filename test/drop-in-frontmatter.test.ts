/**
 * The one frontmatter schema accepts the fields of the guide's Docusaurus and Hugo pages, typed, and
 * turns position, short name and date into Starlight's own fields only where the page did not set
 * those. Bad values get a Korean message naming the field. The built site is tested in site-drop-in.
 */
import { describe, expect, it } from 'vitest';
import { dropInDefaults, pageOrder, projectFrontmatter } from '../scripts/model/frontmatter.ts';

type Collected = Parameters<typeof dropInDefaults>[0];

/** As the content collection does: Starlight's fields as written plus the project's, then filled in. */
const collection = (data: Record<string, unknown>): Collected =>
  dropInDefaults({ sidebar: {}, ...data, ...projectFrontmatter(data, 'page.md') } as Collected);

describe('Docusaurus and Hugo fields', () => {
  it('are read with their types; a date written as text (the runner reads YAML 1.2) becomes a Date', () => {
    expect(
      projectFrontmatter(
        {
          sidebar_position: 2.5,
          weight: 30,
          date: '2024-02-01T09:00:00+09:00',
          lastmod: new Date('2024-04-20'),
          contributors: ['김민지', '이준호'],
          menu: { docs: { parent: 'appendix', weight: 20 } },
        },
        'page.md',
      ),
    ).toEqual({
      sidebar_position: 2.5,
      weight: 30,
      date: new Date('2024-02-01T00:00:00Z'),
      lastmod: new Date('2024-04-20'),
      contributors: ['김민지', '이준호'],
      menu: { docs: { parent: 'appendix', weight: 20 } },
    });
  });

  it.each([
    ['main', { main: {} }],
    [['main', 'docs'], { main: {}, docs: {} }],
    [{ docs: null }, { docs: {} }],
  ])('menu %j is normalised to the map form', (menu, expected) => {
    expect(projectFrontmatter({ menu }, 'page.md').menu).toEqual(expected);
  });

  it('a single contributor may be written as a string', () => {
    expect(projectFrontmatter({ contributors: '박서연' }, 'page.md').contributors).toEqual(['박서연']);
  });

  it('other fields of those generators (id, tags, aliases, slug-less keys) are accepted and ignored', () => {
    expect(
      projectFrontmatter({ id: 'x', tags: ['a'], aliases: ['/x/'], keywords: ['k'], toc: true }, 'page.md'),
    ).toEqual({});
  });

  it.each([
    [{ sidebar_position: 'first' }, 'sidebar_position: sidebar_position 은 숫자로 쓰세요 (예: 3).'],
    [{ weight: 1.5 }, 'weight: weight 는 정수로 쓰세요 (예: 30).'],
    [{ date: 'yesterday' }, 'date: 날짜 "yesterday" 를 읽을 수 없습니다. 2024-05-01 처럼 쓰세요.'],
    [{ lastmod: 2024 }, 'lastmod: 날짜는 2024-05-01 처럼 쓰세요.'],
    [{ contributors: [1] }, 'contributors: contributors 는 이름 목록으로 쓰세요 (예: ["홍길동"]).'],
    [{ menu: 3 }, 'menu: menu 는 Hugo 형식으로 쓰세요 (예: main, [main, docs] 또는 { docs: { weight: 10 } }).'],
  ])('%j is refused: %s', (data, message) => {
    expect(() => projectFrontmatter(data, 'page.md')).toThrow(`page.md: frontmatter 가 맞지 않습니다:\n  ${message}`);
  });

  it("with the page's text, each wrong field is named at its file:line", () => {
    const source = '---\ntitle: t\nweight: 1.5\nrunbook:\n  name: Metal\n  kubernetes: ["1.37", "v1.24"]\n---\n';
    const data = { title: 't', weight: 1.5, runbook: { name: 'Metal', kubernetes: ['1.37', 'v1.24'] } };
    expect(() => projectFrontmatter(data, 'page.md', source)).toThrow(
      /page\.md:3: weight: [^\n]+\n {2}page\.md:5: runbook\.name: [^\n]+\n {2}page\.md:6: runbook\.kubernetes\.1: /,
    );
  });
});

describe('what they become', () => {
  it.each<[Record<string, unknown>, number | undefined]>([
    [{ sidebar_position: 1 }, 1],
    [{ weight: 20 }, 20],
    [{ weight: 0 }, undefined], // Hugo: 0 means no weight
    [{ sidebar_position: 1, weight: 20 }, 1],
    [{ sidebar: { order: 8001 }, sidebar_position: 1 }, 8001],
  ])('%j → sidebar.order %s', (data, order) => {
    expect(pageOrder({ ...data, ...projectFrontmatter(data, 'page.md') })).toBe(order);
    expect(collection(data).sidebar.order).toBe(order);
  });

  it('sidebar.label: Starlight first, then Docusaurus sidebar_label, then Hugo linkTitle', () => {
    expect(collection({ linkTitle: 'Grafana' }).sidebar.label).toBe('Grafana');
    expect(collection({ sidebar_label: '포트 포워딩', linkTitle: 'x' }).sidebar.label).toBe('포트 포워딩');
    expect(collection({ sidebar: { label: '짧게' }, sidebar_label: 'x' }).sidebar.label).toBe('짧게');
  });

  it("lastUpdated: Starlight first, then lastmod, then date (Hugo's own fallback); false stays false", () => {
    expect(collection({ date: '2024-02-01', lastmod: '2024-04-20' }).lastUpdated).toEqual(new Date('2024-04-20'));
    expect(collection({ date: '2024-02-01' }).lastUpdated).toEqual(new Date('2024-02-01'));
    expect(collection({ lastUpdated: false, lastmod: '2024-04-20' }).lastUpdated).toBe(false);
    expect(collection({}).lastUpdated).toBeUndefined();
  });
});
