import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { createAppState } from './lib/state/app.svelte';

const app = await createAppState({ location: window.location });
mount(App, { target: document.getElementById('app')!, props: { app } });
