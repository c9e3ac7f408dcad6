import type { SharedSetup } from '../share/setup';
import type { AppState } from './app.svelte';

/** The lazy boundary of share links (compression, validation). */
const loadShare = () => Promise.all([import('../share/link'), import('../share/setup')]);

/** The page's address, passed in so tests can give their own. */
export interface ShareLocation {
  origin: string;
  pathname: string;
  search: string;
  hash: string;
}

/** A link made for the current setup, or the file offered when it is too large for one. */
export type ShareResult =
  | { kind: 'link'; url: string }
  | { kind: 'file'; text: string; length: number }
  | { kind: 'failed'; reason: string };

/**
 * Share links: the current setup (conversation, parameters, tools, schema, embedding texts; never the
 * key, never the answers) compressed into the URL fragment, and the same setup opened from a link or a
 * file. Opening says what it filled.
 */
export class SetupSharing {
  result = $state.raw<ShareResult | null>(null);
  /** What the last opened link or file did (and how to undo it), or why it could not be opened. */
  notice = $state.raw<{ ok: boolean; text: string; undo?: () => void } | null>(null);

  #app: AppState;

  constructor(app: AppState) {
    this.#app = app;
  }

  /** The setup as it stands: the chat and the tools always, the lab when it has been opened. */
  async #current(): Promise<SharedSetup> {
    const [, share] = await loadShare();
    const { chat, tools } = this.#app;
    const lab = this.#app.labLoaded ? this.#app.embeddings : null;
    return {
      v: 1,
      chat: share.shareChat(chat),
      tools: share.shareTools(tools),
      ...(lab && { embeddings: share.shareEmbeddings(lab) }),
    };
  }

  /** Makes the link for the current setup (or, when too long for a link, the file to send instead). */
  create = async (location: ShareLocation): Promise<void> => {
    try {
      const [link] = await loadShare();
      const setup = await this.#current();
      const url = link.shareUrl(location, await link.encodeSetup(setup));
      // A key pasted into a message or a mock would travel with the link: refuse rather than leak it.
      const key = this.#app.credentials.apiKey;
      if (key.length >= 8 && JSON.stringify(setup).includes(key)) {
        this.result = {
          kind: 'failed',
          reason: 'the setup contains your API key (in a message or a tool). Remove it first.',
        };
        return;
      }
      this.result = link.fitsInLink(url)
        ? { kind: 'link', url }
        : { kind: 'file', text: link.setupFileText(setup), length: url.length };
    } catch (err) {
      this.result = { kind: 'failed', reason: err instanceof Error ? err.message : String(err) };
    }
  };

  /** Opens the setup a page address carries in its fragment, if any; returns whether there was one. */
  openFromLocation = async (location: ShareLocation): Promise<boolean> => {
    if (!/[#&]s=/.test(location.hash)) return false;
    const [link] = await loadShare();
    const value = link.readShareFragment(location.hash);
    if (!value) return false;
    const decoded = await link.decodeSetup(value);
    if (!decoded.ok)
      this.notice = { ok: false, text: `This share link could not be opened: ${decoded.reason}` };
    else await this.#apply(decoded.setup, 'a shared link');
    return true;
  };

  /** Opens a setup file (the fallback for setups too large for a link). */
  openFile = async (text: string, name: string): Promise<void> => {
    const [link] = await loadShare();
    const read = link.readSetupFile(text);
    if (!read.ok) this.notice = { ok: false, text: `${name} could not be opened: ${read.reason}` };
    else await this.#apply(read.setup, name);
  };

  async #apply(setup: SharedSetup, source: string): Promise<void> {
    const [, share] = await loadShare();
    const { chat, tools } = this.#app;
    if (chat.running) {
      this.notice = { ok: false, text: `Stop the answer on its way, then open ${source} again.` };
      return;
    }
    const undo = this.#app.keepSetup();
    if (setup.chat) {
      const { model, systemPrompt, messages, params, stream } = setup.chat;
      chat.restore({ model, systemPrompt, messages: share.messagesFrom(messages), params, stream });
    }
    if (setup.tools) {
      const { choice, parallel, schemaText } = setup.tools;
      tools.restore({ tools: setup.tools.tools, choice, parallel, schemaText });
    }
    if (setup.embeddings) {
      const { texts, model, dimensions, query } = setup.embeddings;
      if (!(await this.#app.loadLab()).restore({ text: texts, model, dimensions, query })) {
        this.notice = {
          ok: false,
          text: 'The embeddings lab is running: stop it, then open the link again.',
        };
        undo();
        return;
      }
    }
    this.notice = {
      ok: true,
      text: `Opened the setup from ${source}: ${share.describeSetup(setup)}. Your key is not in it: add yours to send.`,
      undo,
    };
  }
}
