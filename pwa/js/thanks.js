// The thank-you page says, in turn: thank you, where the answers are (a
// report: that someone checks it before others see it), and whether they
// wait on the phone or were sent.
import { say } from './voice.js';
import { main } from './util.js';
import { speakState } from './state.js';

const report = new URLSearchParams(location.search).has('report');
const words = main.querySelector(report ? '.report' : '.body');
main.querySelector('.report').hidden = !report;
main.querySelector('.body').hidden = report;
speakState().then((state) => say(main.dataset.prompt, words.dataset.say, state));
