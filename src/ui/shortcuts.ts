/**
 * Keyboard shortcuts (listed in ShortcutsDialog): which action a key press
 * asks for. Keys typed into fields are never shortcuts; arrow keys move
 * between layers only when focus is on a layer row (or nowhere), so they
 * still scroll lists and move carets elsewhere.
 */
import { VIEWS, type ViewName } from '../state/route-hash';
import type { LayerMove } from '../state/session.svelte';

/** What a key asks for. */
export type Shortcut =
  | { kind: 'help' }
  | { kind: 'layer'; move: LayerMove }
  | { kind: 'view'; view: ViewName }
  | { kind: 'reference' }
  | { kind: 'open' };

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

/** The shortcut for a key press, or null when the key is not one (or is being typed). */
export function shortcutFor(event: KeyboardEvent, loaded: boolean): Shortcut | null {
  if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return null;
  const active = document.activeElement;
  const onLayers = active === document.body || active?.closest('tr[data-layer]') != null;
  switch (event.key) {
    case '?':
      return { kind: 'help' };
    case '/':
      return { kind: 'reference' };
    case 'o':
      return { kind: 'open' };
    case 'j':
      return loaded ? { kind: 'layer', move: 1 } : null;
    case 'k':
      return loaded ? { kind: 'layer', move: -1 } : null;
    case 'ArrowDown':
      return loaded && onLayers ? { kind: 'layer', move: 1 } : null;
    case 'ArrowUp':
      return loaded && onLayers ? { kind: 'layer', move: -1 } : null;
    case 'Home':
      return loaded && onLayers ? { kind: 'layer', move: 'first' } : null;
    case 'End':
      return loaded && onLayers ? { kind: 'layer', move: 'last' } : null;
  }
  if (loaded && /^[1-5]$/.test(event.key)) return { kind: 'view', view: VIEWS[Number(event.key) - 1] };
  return null;
}
