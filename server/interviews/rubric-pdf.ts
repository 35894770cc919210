/**
 * The rubric as a printable PDF, made on the server with pdf-lib (pure JavaScript, no browser):
 * the same content as the Markdown, laid out on A4 pages, every cited moment and note a link to
 * the replay at that moment. The standard Helvetica fonts cover Latin-1 only, so the status
 * marks are spelt out and anything else outside it is replaced.
 */
import { PDFDocument, PDFString, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { formatClock } from '@/lib/display/clock';
import { recommendationLabel, replayLink, type Rubric, type RubricStatus } from '@/lib/interviews/rubric';

const PAGE = { width: 595.28, height: 841.89, margin: 50 };
const STATUS: Record<RubricStatus, string> = { met: 'MET', broken: 'BROKEN', 'not-applicable': 'NOT APPLICABLE' };

/** Latin-1 plus the WinAnsi punctuation Helvetica has; everything else becomes "?". */
export function pdfSafe(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7E\u00A0-\u00FF\u2013\u2014\u2018\u2019\u201C\u201D\u2022\u2026]/g, '?')
    .trim();
}

class Writer {
  private page!: PDFPage;
  private y = 0;
  constructor(
    private readonly doc: PDFDocument,
    private readonly regular: PDFFont,
    private readonly bold: PDFFont,
  ) {
    this.newPage();
  }

  private newPage(): void {
    this.page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.y = PAGE.height - PAGE.margin;
  }

  /** Wraps to the page width; a link covers every line of the text. */
  line(text: string, options: { size?: number; bold?: boolean; indent?: number; link?: string; gap?: number } = {}): void {
    const size = options.size ?? 10;
    const font = options.bold ? this.bold : this.regular;
    const x = PAGE.margin + (options.indent ?? 0);
    const width = PAGE.width - PAGE.margin - x;
    this.y -= options.gap ?? 0;
    for (const piece of wrap(pdfSafe(text), font, size, width)) {
      if (this.y - size < PAGE.margin) this.newPage();
      this.y -= size * 1.35;
      this.page.drawText(piece, { x, y: this.y, size, font, color: options.link ? rgb(0.05, 0.3, 0.7) : rgb(0, 0, 0) });
      if (options.link) this.link(x, this.y - 2, font.widthOfTextAtSize(piece, size), size + 3, options.link);
    }
  }

  private link(x: number, y: number, w: number, h: number, url: string): void {
    const annot = this.doc.context.register(
      this.doc.context.obj({
        Type: 'Annot',
        Subtype: 'Link',
        Rect: [x, y, x + w, y + h],
        Border: [0, 0, 0],
        A: { Type: 'Action', S: 'URI', URI: PDFString.of(url) },
      }),
    );
    this.page.node.addAnnot(annot);
  }
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const next = current ? `${current} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) <= width || !current) current = next;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current) lines.push(current);
  return lines.length ? lines : [''];
}

const SECTION_TITLES: Record<string, string> = { protocol: 'Protocol', diagnosis: 'Diagnosis', communication: 'Communication', outcome: 'Outcome' };

export async function renderRubricPdf(rubric: Rubric, baseUrl: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Interview rubric: ${pdfSafe(rubric.candidateName)}`);
  doc.setProducer('Sickbay');
  const w = new Writer(doc, await doc.embedFont(StandardFonts.Helvetica), await doc.embedFont(StandardFonts.HelveticaBold));
  const at = (ms: number) => replayLink(baseUrl, rubric.sessionId, ms);
  w.line(`Interview rubric: ${rubric.candidateName}`, { size: 18, bold: true });
  w.line(`Scenario ${rubric.scenario} (seed ${rubric.seed}), session ${rubric.sessionId}. Report total ${rubric.reportTotal}/100 (before any override).`, { gap: 4 });
  if (rubric.reportCap) w.line(rubric.reportCap, { gap: 4 });
  w.line(`Replay: ${at(0)}`, { link: at(0) });
  w.line('Recommendation', { size: 14, bold: true, gap: 10 });
  const r = rubric.recommendation;
  w.line(r ? `${recommendationLabel(r.value)} — ${r.text || '(no reason given)'} (${r.by}, ${r.at})` : 'No recommendation yet.');
  let section = '';
  for (const item of rubric.items) {
    if (item.section !== section) {
      section = item.section;
      w.line(SECTION_TITLES[section] ?? section, { size: 14, bold: true, gap: 10 });
    }
    w.line(`[${STATUS[item.override?.status ?? item.status]}] ${item.title}`, { bold: true, gap: 6 });
    w.line(`Report: ${STATUS[item.status]}, ${item.score}. ${item.detail}`, { indent: 12 });
    if (item.override) w.line(`Override: ${STATUS[item.override.status]} — ${item.override.reason} (${item.override.by}, ${item.override.at})`, { indent: 12 });
    for (const c of item.citations) w.line(`${formatClock(c.atMs)}  ${c.text}  — ${at(c.atMs)}`, { indent: 24, size: 9, link: at(c.atMs) });
  }
  w.line('Interviewers’ notes', { size: 14, bold: true, gap: 10 });
  if (!rubric.notes.length) w.line('No notes.');
  for (const n of rubric.notes) w.line(`${formatClock(n.atMs)}  ${n.text} — ${n.by}  (${at(n.atMs)})`, { link: at(n.atMs) });
  // No object streams: each page's (deflated) content stream is a plain object, which keeps the
  // file readable by simple tools (the tests inflate it and read the text back).
  return doc.save({ useObjectStreams: false });
}
