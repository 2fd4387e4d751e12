// One HTML view layer for every page this server renders (login, SSO simulator, console). Interpolations are
// escaped unless they are SafeHtml, so a user's name "<script>" stays text wherever it is shown.
export class SafeHtml {
  constructor(readonly value: string) {}
  toString() { return this.value; }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  if (value instanceof SafeHtml) return value.value;
  return escapeHtml(value);
}

/** html`<p>${name}</p>`: escapes every interpolation; nest html`` results or arrays of them freely. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** For markup this server produced itself and already escaped (never for input). */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
