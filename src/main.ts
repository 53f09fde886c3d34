import { mount } from 'svelte';
import './ui/global.css';
import App from './App.svelte';

mount(App, { target: document.getElementById('app') as HTMLElement });

// Offline after the first load (public/sw.js). Not in dev: Vite serves modules that change on every edit.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js').catch(() => {
    // Without a service worker the app still works online; nothing to tell the person.
  });
}
