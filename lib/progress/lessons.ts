/**
 * A protocol rule's short name for lists and charts ("snapshot before invasive"), made from its
 * id; the rule's title (lib/scoring/rules.ts) is the long form shown beside it.
 */
export function lessonLabel(ruleId: string): string {
  return ruleId.replace(/-/g, ' ').replace(/\bread only\b/, 'read-only');
}
