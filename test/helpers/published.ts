/**
 * The MetalLB appendix as the guide publishes it (issue 25), made from the project's page: no step
 * ids, its outputs fenced ```bash like its commands, its screenshots as `![설명](./img/x.png)`.
 */
export function asPublished(page: string): string {
  const bare = page.replace(/ (step|of|data-step)="[^"]*"/g, '');
  const retagged = bare.replace(/^```text\b/gm, '```bash');
  return retagged.replace(
    /<figure class="screenshot">\n[\s\S]*?<figcaption>([^<]*?)\s*\(<code>([^<]+)<\/code>\)<\/figcaption>\n<\/figure>/g,
    (_m, caption: string, image: string) => `![${caption.trim()}](./img/${image})`,
  );
}
