'use client';

import type { Board } from '@/server/drills/board';
import type { DrillState } from '@/server/drills/drills';
import { BoardTable } from './BoardTable';
import { useDrillPoll } from './useDrillPoll';

/** The board alone, large, for a projector: it follows the drill by itself. */
export function Projector({ initial }: { initial: { drill: DrillState; board: Board } }) {
  const { drill, board } = useDrillPoll(initial.drill.id, initial);
  return (
    <div className="projector" data-testid="projector" data-phase={drill.phase}>
      <h1>
        {drill.name} <span className="pill">{drill.phase === 'lobby' ? `join code ${drill.code}` : drill.phase}</span>
      </h1>
      <BoardTable board={board} phase={drill.phase} />
    </div>
  );
}
