import { mount } from 'svelte';
import './styles.css';
import './print.css';
import App from './App.svelte';

mount(App, { target: document.getElementById('app')! });

// The operator's app works offline (public/sw.js): the shell and the reads of a form are kept on the phone.
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  window.addEventListener('load', () => void navigator.serviceWorker.register('/sw.js').catch(() => undefined));
}
