import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Markdown from '../../src/components/chat/Markdown.svelte';

function mockClipboard(writeText: (text: string) => Promise<void>) {
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
}

afterEach(() => {
  Reflect.deleteProperty(navigator, 'clipboard');
  vi.useRealTimers();
});

/** Renders, then waits for the lazily loaded renderer to replace the plain-text placeholder. */
async function shown(props: { text: string; streaming?: boolean }) {
  const result = render(Markdown, props);
  await vi.waitFor(() => expect(result.container.querySelector('.plain')).toBeNull());
  return result;
}

const ANSWER = '# Setup\n\nInstall it:\n\n```sh\nnpm install sandpit\nnpm test\n```\n\nThen **run** it.';

describe('Markdown', () => {
  it('shows the text as plain text until the renderer has loaded', () => {
    const { container } = render(Markdown, { text: '# Title' });
    expect(container.querySelector('.plain')).toHaveTextContent('# Title');
  });

  it('renders headings, emphasis and code blocks with their language', async () => {
    const { container } = await shown({ text: ANSWER });
    expect(screen.getByRole('heading', { level: 1, name: 'Setup' })).toBeInTheDocument();
    expect(screen.getByText('run').tagName).toBe('STRONG');
    const code = container.querySelector('.code-block pre code');
    expect(code).toHaveClass('language-sh');
    expect(code).toHaveTextContent('npm install sandpit npm test');
    expect(container.querySelector('.code-head')).toHaveTextContent('sh');
  });

  it('copies the code of a block to the clipboard, says so, then offers to copy again', async () => {
    const writeText = vi.fn((_text: string) => Promise.resolve());
    mockClipboard(writeText);
    await shown({ text: ANSWER });
    vi.useFakeTimers();
    await fireEvent.click(screen.getByRole('button', { name: 'Copy code' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(writeText).toHaveBeenCalledExactlyOnceWith('npm install sandpit\nnpm test\n');
    expect(screen.getByRole('button', { name: 'Copied' })).toHaveTextContent('Copied');
    expect(screen.getByText('Copied', { selector: '[aria-live="polite"]' })).toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(1500);
    expect(screen.getByRole('button', { name: 'Copy code' })).toHaveTextContent('Copy');
  });

  it('selects the code and says how to copy it when the clipboard is refused', async () => {
    mockClipboard(() => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError')));
    await shown({ text: ANSWER });
    await fireEvent.click(screen.getByRole('button', { name: 'Copy code' }));
    expect(await screen.findByRole('button', { name: 'Press Ctrl+C to copy' })).toBeInTheDocument();
    expect(getSelection()?.toString()).toBe('npm install sandpit\nnpm test\n');
  });

  it('selects the code when there is no clipboard at all (an http page)', async () => {
    await shown({ text: ANSWER });
    await fireEvent.click(screen.getByRole('button', { name: 'Copy code' }));
    expect(await screen.findByRole('button', { name: 'Press Ctrl+C to copy' })).toBeInTheDocument();
  });

  it('keeps the DOM of finished blocks while the answer streams, and when it ends', async () => {
    const parts = ['# Plan\n\nFirst step.\n\nSec', 'ond step.\n\n```sh\nnpm t', 'est\n```\n\nDone.'];
    const { container, rerender } = await shown({ text: parts[0]!, streaming: true });
    const heading = screen.getByRole('heading', { name: 'Plan' });
    const first = screen.getByText('First step.');
    const blocks = [...container.querySelectorAll('.md-block')];
    expect(blocks).toHaveLength(2);
    expect(container.querySelector('.md-tail')).toHaveTextContent('Sec');

    await rerender({ text: parts[0]! + parts[1]!, streaming: true });
    expect(screen.getByRole('heading', { name: 'Plan' })).toBe(heading);
    expect(screen.getByText('First step.')).toBe(first);
    expect(container.querySelector('.md-tail code')).toHaveTextContent('npm t');

    await rerender({ text: parts.join(''), streaming: false });
    expect(screen.getByRole('heading', { name: 'Plan' })).toBe(heading);
    expect(screen.getByText('First step.')).toBe(first);
    const after = [...container.querySelectorAll('.md-block')];
    expect(after.slice(0, 2)).toEqual(blocks);
    expect(after).toHaveLength(5);
    expect(after[2]).toHaveTextContent('Second step.');
    expect(after[3]!.querySelector('.code-block code')).toHaveTextContent('npm test');
    expect(after[4]).toHaveTextContent('Done.');
    expect(container.querySelector('.md-tail')).toBeNull();
    expect(screen.getAllByRole('button', { name: 'Copy code' })).toHaveLength(1);
  });

  it('starts over when the text is replaced rather than extended', async () => {
    const { rerender } = await shown({ text: 'Old answer.\n\nMore.' });
    await rerender({ text: 'New answer.' });
    expect(screen.queryByText('Old answer.')).toBeNull();
    expect(screen.getByText('New answer.')).toBeInTheDocument();
  });

  it('shows no markup from the model that could run script', async () => {
    const { container } = await shown({
      text: 'Hi <img src=x onerror="alert(1)"> [x](javascript:alert(1)) <button data-copy-code onclick="alert(1)">Copy</button>',
    });
    expect(container.querySelector('[onerror], [onclick], img, button')).toBeNull();
    expect(screen.getByText('x', { selector: 'a' })).not.toHaveAttribute('href');
  });
});
