// For test-clean-exit.sh: two windows whose pages only wait. The script ends
// the app from outside (SIGTERM, SIGINT), or creates a file next to
// index.html that the pages look for: with exit.txt the main page calls
// plugin:app|exit(0); with close.txt each window closes itself, and the app
// ends with its last window. Never calls test_done.
import { exit } from '@tauri-apps/api/app';
import { getCurrentWindow } from '@tauri-apps/api/window';

const exists = async (name) => {
  try {
    return (await fetch(name, { cache: 'no-store' })).ok;
  } catch {
    return false;
  }
};

for (;;) {
  if (getCurrentWindow().label === 'main' && await exists('exit.txt')) {
    await exit(0);
    break;
  }
  if (await exists('close.txt')) {
    await getCurrentWindow().close();
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
