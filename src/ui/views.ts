/**
 * The views of an image, in tab order (the keys 1–5 pick them): each is a
 * component that receives the session and the selected image, and reads its
 * own state class from the session. Adding a view: its name in VIEWS
 * (src/state/route-hash.ts), its state class as a Session field, its
 * component, and one line here.
 */
import type { Component } from 'svelte';
import type { ImageModel } from '../core/image/model';
import type { ViewName } from '../state/route-hash';
import type { Session } from '../state/session.svelte';
import DocumentsView from './Documents/DocumentsView.svelte';
import HistoryView from './Documents/HistoryView.svelte';
import FilesView from './Files/FilesView.svelte';
import OverviewView from './Overview/OverviewView.svelte';

/** What every view component receives. */
export interface ViewProps {
  session: Session;
  image: ImageModel;
}

/** One tab. */
export interface ViewTab {
  name: ViewName;
  label: string;
  component: Component<ViewProps>;
}

/** Every view, in the order of the tabs. */
export const VIEW_TABS: readonly ViewTab[] = [
  { name: 'overview', label: 'Overview', component: OverviewView },
  { name: 'changes', label: 'Changes', component: FilesView },
  { name: 'merged', label: 'Merged', component: FilesView },
  { name: 'history', label: 'History', component: HistoryView },
  { name: 'config', label: 'Config', component: DocumentsView },
];
