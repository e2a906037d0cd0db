// keel.webview.backForwardCache: true (see ../back-forward/check.js).
import { check } from '../back-forward/check.js';

check(true);
