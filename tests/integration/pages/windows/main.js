// Window commands through @tauri-apps/api/window and webviewWindow: title,
// size, resizable, visibility, listing, creating and closing windows, and
// errors. Xvfb has no window manager, so maximize, minimize, fullscreen and
// focus are only checked to resolve, never for the state they would change.
import { invoke } from '@tauri-apps/api/core';
import { getCurrentWindow, getAllWindows, Window, LogicalSize, PhysicalSize } from '@tauri-apps/api/window';
import { WebviewWindow, getCurrentWebviewWindow, getAllWebviewWindows } from '@tauri-apps/api/webviewWindow';
import { getAllWebviews } from '@tauri-apps/api/webview';
import { test, run, assert, assertEqual, rejects, sleep, describe } from '../../lib/harness.js';

const win = getCurrentWindow();

// Polls fn() until check(value) holds; on timeout, says what the value was.
async function eventually(fn, check, what, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (check(value)) return value;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(value)} after ${ms} ms`);
    await sleep(20);
  }
}

const labels = async () => (await getAllWindows()).map((w) => w.label);

function sizeIs(width, height) {
  return (s) => s.width === width && s.height === height;
}

// Creates a window and waits for tauri://created or tauri://error; answers
// 'created' or the error's payload.
function create(label, options) {
  const webview = new WebviewWindow(label, options);
  return new Promise((resolve) => {
    webview.once('tauri://created', () => resolve('created'));
    webview.once('tauri://error', (e) => resolve(e.payload));
  });
}

test("title() answers keel.json's title", async () => {
  assertEqual(getCurrentWindow().label, 'main');
  assertEqual(getCurrentWebviewWindow().label, 'main');
  assertEqual(await win.title(), 'windows: main');
});

test('setTitle changes the title, as the core reads it back', async () => {
  const title = 'Renamed ☃ "quoted" \u00e9';
  await win.setTitle(title);
  assertEqual(await win.title(), title);
  await win.setTitle('windows: main');
  assertEqual(await win.title(), 'windows: main');
});

test("innerSize is keel.json's size times the scale factor", async () => {
  const scale = await win.scaleFactor();
  assertEqual(scale, 1, 'the scale factor under Xvfb');
  const size = await eventually(() => win.innerSize(), sizeIs(640 * scale, 480 * scale), 'innerSize');
  assert(size instanceof PhysicalSize, 'innerSize answers a PhysicalSize');
  const outer = await win.outerSize();
  assert(outer.width >= size.width && outer.height >= size.height,
         `outerSize ${JSON.stringify(outer)} is smaller than innerSize ${JSON.stringify(size)}`);
});

test('setSize(LogicalSize) and setSize(PhysicalSize) resize the window', async () => {
  await win.setSize(new LogicalSize(500, 400));
  await eventually(() => win.innerSize(), sizeIs(500, 400), 'innerSize after setSize(500x400)');
  await eventually(() => ({ width: window.innerWidth, height: window.innerHeight }), sizeIs(500, 400),
                   "the page's viewport after setSize(500x400)");
  await win.setSize(new PhysicalSize(600, 450));
  await eventually(() => win.innerSize(), sizeIs(600, 450), 'innerSize after setSize(Physical 600x450)');
  for (const value of [{ Logical: { width: 0, height: 10 } }, { Logical: { width: 'big', height: 10 } },
                       { Sideways: { width: 10, height: 10 } }]) {
    const error = await rejects(invoke('plugin:window|set_size', { label: 'main', value }), JSON.stringify(value));
    assertEqual(error.code, 'invalid_args', JSON.stringify(value));
  }
});

test('setResizable / isResizable', async () => {
  assertEqual(await win.isResizable(), true, 'resizable by default');
  await win.setResizable(false);
  assertEqual(await win.isResizable(), false);
  await win.setResizable(true);
  assertEqual(await win.isResizable(), true);
});

test('hide / isVisible / show', async () => {
  assertEqual(await win.isVisible(), true, 'visible at start');
  await win.hide();
  assertEqual(await win.isVisible(), false, 'after hide()');
  await win.show();
  assertEqual(await win.isVisible(), true, 'after show()');
});

test('getAllWindows, getAllWebviewWindows and getAllWebviews list the labels', async () => {
  assertEqual(await labels(), ['main']);
  assertEqual((await getAllWebviewWindows()).map((w) => w.label), ['main']);
  assertEqual((await getAllWebviews()).map((w) => w.label), ['main']);
});

test("new WebviewWindow('child') fires tauri://created and the child is listed", async () => {
  assertEqual(await create('child', { url: 'child.html', title: 'Child', width: 320, height: 240 }), 'created');
  assertEqual(await labels(), ['main', 'child']);
  const child = await Window.getByLabel('child');
  assert(child !== null, 'Window.getByLabel("child") found nothing');
  assertEqual(await child.title(), 'Child');
  await eventually(() => child.innerSize(), sizeIs(320, 240), "the child's innerSize");
});

test('a command targets another window by its label', async () => {
  const child = await Window.getByLabel('child');
  await child.setTitle('Child renamed');
  assertEqual(await child.title(), 'Child renamed');
  assertEqual(await win.title(), 'windows: main', 'the calling window keeps its title');
});

test('a duplicate label fires tauri://error naming the label', async () => {
  const error = await create('child', { url: 'child.html' });
  assert(error !== 'created', 'a second window labelled "child" was created');
  assertEqual(error.code, 'invalid_args', describe(error));
  assert(error.message.includes('"child"'), error.message);
  assertEqual(await labels(), ['main', 'child']);
});

test('an invalid option fires tauri://error naming the key', async () => {
  const error = await create('child2', { url: 'child.html', width: 'big' });
  assert(error !== 'created', 'a window with width "big" was created');
  assertEqual(error.code, 'invalid_args', describe(error));
  assert(error.message.includes('width'), error.message);
  assertEqual(await labels(), ['main', 'child']);
});

test('close() removes the child from getAllWindows', async () => {
  const child = await Window.getByLabel('child');
  await child.close();
  await eventually(labels, (l) => !l.includes('child'), 'getAllWindows after close()');
  assertEqual(await labels(), ['main']);
  assertEqual(await Window.getByLabel('child'), null);
});

test('destroy() removes a window, and its label can be used again', async () => {
  assertEqual(await create('child', { url: 'child.html', title: 'Child again' }), 'created');
  assertEqual(await labels(), ['main', 'child']);
  await (await Window.getByLabel('child')).destroy();
  await eventually(labels, (l) => !l.includes('child'), 'getAllWindows after destroy()');
  assertEqual(await labels(), ['main']);
});

test('a command for a missing window rejects with not_found naming it', async () => {
  const commands = [
    ['title', {}], ['set_title', { value: 'x' }], ['inner_size', {}], ['outer_size', {}],
    ['scale_factor', {}], ['set_size', { value: { Logical: { width: 10, height: 10 } } }],
    ['is_visible', {}], ['show', {}], ['hide', {}], ['set_resizable', { value: true }],
    ['maximize', {}], ['close', {}], ['destroy', {}],
  ];
  for (const [name, args] of commands) {
    const command = `plugin:window|${name}`;
    const error = await rejects(invoke(command, { label: 'nope', ...args }), command);
    assertEqual(error.code, 'not_found', `${command}: ${describe(error)}`);
    assert(error.message.includes('"nope"'), `${command}: ${error.message}`);
  }
  const nope = new Window('nope', { skip: true }); // a handle, without creating a window
  const error = await rejects(nope.setTitle('x'), 'Window("nope").setTitle');
  assertEqual(error.code, 'not_found');
});

test('maximize, minimize, fullscreen, focus and center resolve (state not checked under Xvfb)', async () => {
  await win.maximize();
  await win.unmaximize();
  await win.toggleMaximize();
  await win.toggleMaximize();
  await win.minimize();
  await win.unminimize();
  await win.setFullscreen(true);
  await win.setFullscreen(false);
  await win.setFocus();
  await win.center();
  for (const [name, query] of [['isMaximized', () => win.isMaximized()], ['isMinimized', () => win.isMinimized()],
                               ['isFullscreen', () => win.isFullscreen()], ['isFocused', () => win.isFocused()]]) {
    const value = await query();
    assertEqual(typeof value, 'boolean', `${name} answered ${JSON.stringify(value)}`);
  }
});

run();
