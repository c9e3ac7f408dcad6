/** Where the e2e suite finds the app and the test server (started by playwright.config.ts). */
export const APP_PORT = 4173;
export const API_PORT = 8787;
/** The app is served from a sub-path, as on a GitHub Pages project page, to prove the build works there. */
export const APP_URL = `http://127.0.0.1:${APP_PORT}/sandpit/`;
export const API_SERVER = `http://127.0.0.1:${API_PORT}`;
