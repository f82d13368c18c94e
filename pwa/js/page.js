// A page that only speaks: its title on arrival (information pages).
import { say } from './voice.js';
import { main } from './util.js';

say(main.dataset.prompt);
