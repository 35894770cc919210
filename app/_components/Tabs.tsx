'use client';

import { useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface TabDef<Id extends string> {
  id: Id;
  label: ReactNode;
  /** Small text after the label (a count, a score). */
  badge?: ReactNode;
  content: ReactNode;
}

/**
 * WAI-ARIA tabs (automatic activation): arrow keys, Home and End move between tabs, Tab moves
 * into the panel. Every panel stays mounted (only hidden), so forms keep what was typed and
 * live regions keep updating while another tab is shown.
 */
export function Tabs<Id extends string>({
  tabs,
  selected,
  onSelect,
  label,
  idPrefix,
  tabRef,
}: {
  tabs: TabDef<Id>[];
  selected: Id;
  onSelect: (id: Id) => void;
  label: string;
  idPrefix: string;
  /** Receives the selected tab's button (to move focus to it from elsewhere). */
  tabRef?: (el: HTMLButtonElement | null) => void;
}) {
  const buttons = useRef(new Map<Id, HTMLButtonElement>());

  function onKeyDown(ev: KeyboardEvent<HTMLDivElement>) {
    const index = tabs.findIndex((t) => t.id === selected);
    let next = -1;
    if (ev.key === 'ArrowRight' || ev.key === 'ArrowDown') next = (index + 1) % tabs.length;
    else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowUp') next = (index - 1 + tabs.length) % tabs.length;
    else if (ev.key === 'Home') next = 0;
    else if (ev.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    ev.preventDefault();
    const id = tabs[next]!.id;
    onSelect(id);
    buttons.current.get(id)?.focus();
  }

  return (
    <div className="tabs">
      <div role="tablist" aria-label={label} className="tablist" onKeyDown={onKeyDown}>
        {tabs.map((t) => {
          const active = t.id === selected;
          return (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`${idPrefix}-tab-${t.id}`}
              aria-selected={active}
              aria-controls={`${idPrefix}-panel-${t.id}`}
              tabIndex={active ? 0 : -1}
              className="tab"
              ref={(el) => {
                if (el) buttons.current.set(t.id, el);
                else buttons.current.delete(t.id);
                if (active) tabRef?.(el);
              }}
              onClick={() => onSelect(t.id)}
            >
              {t.label}
              {t.badge !== undefined && t.badge !== null && <span className="tab-badge">{t.badge}</span>}
            </button>
          );
        })}
      </div>
      {tabs.map((t) => (
        <div
          key={t.id}
          role="tabpanel"
          id={`${idPrefix}-panel-${t.id}`}
          aria-labelledby={`${idPrefix}-tab-${t.id}`}
          hidden={t.id !== selected}
          tabIndex={0}
          className="tabpanel"
          data-tab={t.id}
        >
          {t.content}
        </div>
      ))}
    </div>
  );
}
