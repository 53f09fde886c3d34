import { mount } from 'svelte';
import './ui/global.css';
import App from './App.svelte';

mount(App, { target: document.getElementById('app') as HTMLElement });
