/** Removes secrets from anything shown or stored: registered values and anything shaped like a JWT. */
export class Redactor {
  private readonly secrets = new Set<string>();
  add(value: string | undefined): void {
    if (value && value.length >= 6) this.secrets.add(value);
  }
  apply(text: string): string {
    let out = text.replace(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[비밀 값 가림]');
    for (const secret of this.secrets) out = out.split(secret).join('[비밀 값 가림]');
    return out;
  }
}

/** Registers the secrets a step's output holds (`secret` pattern: group 1, or the whole match). */
export function captureSecrets(redactor: Redactor, pattern: RegExp | undefined, text: string): void {
  if (!pattern) return;
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  for (const m of text.matchAll(global)) redactor.add(m[1] ?? m[0]);
}
