/**
 * The e2e `test`: Playwright's, plus an automatic check that the page met no Content Security
 * Policy violation (a blocked script, style, connection or WebAssembly compile) during the test.
 */
import { expect, test as base } from '@playwright/test';

export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      // The browser reports each violation as a DOM event and as a console message; keep both.
      await page.exposeFunction('__sickbayCspViolation', (text: string) => violations.push(text));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          const report = (window as unknown as { __sickbayCspViolation: (t: string) => void }).__sickbayCspViolation;
          report(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
        });
      });
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await use(violations);
      expect(violations, 'no Content Security Policy violations').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
