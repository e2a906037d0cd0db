// The showcase frontend: plain JavaScript on window.keel, Keel's native
// bridge. (Frontends written for Tauri use @tauri-apps/api unchanged; the
// tests do.)
const $ = (id) => document.getElementById(id);

async function showSystem() {
  const info = await keel.invoke('system_info');
  $('host').textContent = info.hostname;
  $('kernel').textContent = info.kernel;
  $('pid').textContent = `pid ${info.pid}`;
  $('version').textContent = info.keel;
  $('label').textContent = keel.windowLabel;
}

async function greet(event) {
  event?.preventDefault();
  try {
    $('greeting').textContent = await keel.invoke('greet', { name: $('name').value });
    $('error').textContent = '';
  } catch (e) {
    $('error').textContent = `${e.code}: ${e.message}`;
  }
}

async function hash(event) {
  event?.preventDefault();
  $('digest').textContent = await keel.invoke('sha256', { text: $('text').value });
}

$('greet-form').addEventListener('submit', greet);
$('hash-form').addEventListener('submit', hash);

let ticks = 0;
let firstTick;
const ticked = new Promise((resolve) => { firstTick = resolve; });
await keel.listen('showcase:tick', (event) => {
  $('ticks').textContent = String(++ticks);
  $('uptime').textContent = `${event.payload.uptime.toFixed(1)} s`;
  firstTick();
});

await showSystem();
await greet();
await hash();
// An empty name shows how a command rejects with a clear error.
await keel.invoke('greet', { name: '' }).catch((e) => { $('error').textContent = `${e.code}: ${e.message}`; });
await ticked;
await keel.emit('showcase:ready', { ticks });
