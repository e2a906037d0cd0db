// Keel's default: no back/forward cache (see check.js).
import { check } from './check.js';

check(false);
