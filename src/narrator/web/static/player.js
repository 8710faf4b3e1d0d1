/* narrator player page: custom audio controls and a transcript that follows the voice.
 *
 * Plain ES2017, no build step, no dependencies. The page works without this
 * script (native <audio controls>, download link, transcript text); the script
 * hides the native controls and shows the custom ones. Sentence times come from
 * the server-rendered data-start / data-end attributes of the transcript.
 *
 * Keyboard: Space or K play/pause; J / ArrowLeft back 15 s; L / ArrowRight
 * forward 15 s; Enter or Space on a sentence plays from it; ArrowUp / ArrowDown,
 * Home / End move between sentences in the transcript.
 */
'use strict';

(() => {
  const SPEED_KEY = 'narrator.speed';
  const SCROLL_PAUSE_MS = 4000;
  const EPSILON = 0.05; // a seek lands a little before the start it asked for

  /** Seconds as 0:05, 12:34 or 1:02:03. */
  const clock = (seconds) => {
    const total = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
    const h = Math.floor(total / 3600);
    const m = Math.floor(total / 60) % 60;
    const s = String(total % 60).padStart(2, '0');
    return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
  };

  /** Index of the last start <= t in the ascending array `starts`, or -1. */
  const locate = (starts, t) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= t) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  };

  const storage = {
    get(key) {
      try { return window.localStorage.getItem(key); } catch (e) { return null; }
    },
    set(key, value) {
      try { window.localStorage.setItem(key, value); } catch (e) { /* private mode, partitioned iframe */ }
    },
  };

  /** Whether a key press in `target` belongs to that element (typing, sliders, menus). */
  const ownsKeys = (target) => {
    if (!(target instanceof Element)) return false;
    return target.isContentEditable || Boolean(target.closest('input, textarea, select'));
  };

  class Player {
    constructor(root) {
      this.root = root;
      this.audio = root.querySelector('audio');
      this.controls = root.querySelector('.controls');
      this.playButton = root.querySelector('[data-action="toggle"]');
      this.seek = root.querySelector('.seek');
      this.currentText = root.querySelector('.time-current');
      this.totalText = root.querySelector('.time-total');
      this.speed = root.querySelector('.speed');
      this.status = root.querySelector('.play-status');
      this.box = root.querySelector('.transcript');
      this.sentences = Array.from(root.querySelectorAll('.transcript .sentence[data-start]'));
      this.starts = this.sentences.map((s) => parseFloat(s.dataset.start) || 0);
      this.skipBy = parseFloat(root.dataset.skip) || 15;
      this.fallbackDuration = parseFloat(root.dataset.duration) || 0;
      this.index = -1;
      this.frame = 0;
      this.dragging = false;
      this.shownTime = '';
      this.userScrolledAt = 0;
    }

    /** Reveal the custom controls and wire everything up. */
    start() {
      this.enhanceEmbedCode();
      if (!this.audio || !this.controls) return;
      this.audio.controls = false;
      this.audio.hidden = true;
      this.controls.hidden = false;
      this.root.querySelectorAll('.shortcuts, #transcript-hint').forEach((el) => { el.hidden = false; });
      this.restoreSpeed();
      this.bindControls();
      this.bindAudio();
      this.bindTranscript();
      document.addEventListener('keydown', (event) => this.onShortcut(event));
      ['wheel', 'touchmove'].forEach((type) => window.addEventListener(
        type, () => { this.userScrolledAt = Date.now(); }, { passive: true }));
      this.showDuration();
      this.render();
    }

    bindControls() {
      this.playButton.addEventListener('click', () => this.toggle());
      this.root.querySelector('[data-action="back"]').addEventListener('click', () => this.skip(-this.skipBy));
      this.root.querySelector('[data-action="forward"]').addEventListener('click', () => this.skip(this.skipBy));
      this.seek.addEventListener('input', () => {
        this.dragging = true;
        this.seekTo(parseFloat(this.seek.value));
      });
      this.seek.addEventListener('change', () => { this.dragging = false; });
      this.seek.addEventListener('blur', () => { this.dragging = false; });
      this.speed.addEventListener('change', () => {
        const rate = parseFloat(this.speed.value) || 1;
        this.audio.defaultPlaybackRate = rate;
        this.audio.playbackRate = rate;
        storage.set(SPEED_KEY, String(rate));
        this.announce(`Speed ${rate} times`);
      });
    }

    bindAudio() {
      const audio = this.audio;
      audio.addEventListener('play', () => this.onPlayState(true));
      audio.addEventListener('pause', () => this.onPlayState(false));
      audio.addEventListener('ended', () => this.announce('Finished'));
      audio.addEventListener('loadedmetadata', () => this.showDuration());
      audio.addEventListener('durationchange', () => this.showDuration());
      audio.addEventListener('timeupdate', () => this.render());
      audio.addEventListener('seeked', () => this.render());
      audio.addEventListener('ratechange', () => {
        const value = String(audio.playbackRate);
        if (Array.from(this.speed.options).some((o) => o.value === value)) this.speed.value = value;
      });
      audio.addEventListener('error', () => {
        this.announce('The audio could not be loaded. Use the download link instead.');
      });
    }

    bindTranscript() {
      if (!this.sentences.length) return;
      const hint = this.root.querySelector('#transcript-hint');
      this.sentences.forEach((sentence, i) => {
        sentence.tabIndex = i === 0 ? 0 : -1;
        if (hint) sentence.setAttribute('aria-describedby', hint.id);
      });
      this.box.addEventListener('click', (event) => {
        const sentence = event.target instanceof Element && event.target.closest('.sentence');
        if (sentence) this.playFrom(sentence);
      });
      this.box.addEventListener('keydown', (event) => this.onTranscriptKey(event));
      this.box.addEventListener('focusin', (event) => {
        if (event.target.classList && event.target.classList.contains('sentence')) this.rove(event.target);
      });
    }

    onTranscriptKey(event) {
      const sentence = event.target instanceof Element && event.target.closest('.sentence');
      if (!sentence || event.altKey || event.ctrlKey || event.metaKey) return;
      const i = this.sentences.indexOf(sentence);
      const moves = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: this.sentences.length - 1 };
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        this.playFrom(sentence);
      } else if (event.key in moves) {
        event.preventDefault();
        const next = this.sentences[Math.min(Math.max(moves[event.key], 0), this.sentences.length - 1)];
        next.focus();
      }
    }

    /** Global shortcuts, unless the focused element needs the key itself. */
    onShortcut(event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (ownsKeys(event.target)) return;
      const onButton = event.target instanceof Element && Boolean(event.target.closest('button, a, summary'));
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      const actions = {
        k: () => this.toggle(),
        ' ': onButton ? null : () => this.toggle(),
        j: () => this.skip(-this.skipBy),
        ArrowLeft: () => this.skip(-this.skipBy),
        l: () => this.skip(this.skipBy),
        ArrowRight: () => this.skip(this.skipBy),
      };
      const action = actions[key];
      if (!action) return;
      event.preventDefault();
      action();
    }

    toggle() {
      if (this.audio.paused || this.audio.ended) this.play();
      else this.audio.pause();
    }

    play() {
      const started = this.audio.play();
      if (started && started.catch) {
        started.catch((error) => {
          if (error && error.name === 'AbortError') return;
          this.announce('Playback could not start. Use the download link instead.');
        });
      }
    }

    duration() {
      const d = this.audio.duration;
      return Number.isFinite(d) && d > 0 ? d : this.fallbackDuration;
    }

    seekTo(seconds) {
      const end = this.duration();
      let t = Math.max(0, Number.isFinite(seconds) ? seconds : 0);
      if (end > 0) t = Math.min(t, end);
      this.audio.currentTime = t;
      this.render();
    }

    skip(delta) {
      this.seekTo(this.audio.currentTime + delta);
    }

    playFrom(sentence) {
      this.rove(sentence);
      this.seekTo(parseFloat(sentence.dataset.start) || 0);
      this.play();
    }

    onPlayState(playing) {
      this.playButton.setAttribute('aria-label', playing ? 'Pause' : 'Play');
      this.playButton.classList.toggle('playing', playing);
      this.root.classList.toggle('is-playing', playing);
      if (!this.audio.ended) this.announce(playing ? 'Playing' : 'Paused');
      cancelAnimationFrame(this.frame);
      if (playing) this.frame = requestAnimationFrame(() => this.tick());
      this.render();
    }

    /** Smooth highlight while playing: one render per animation frame. */
    tick() {
      this.render();
      if (!this.audio.paused) this.frame = requestAnimationFrame(() => this.tick());
    }

    showDuration() {
      const end = this.duration();
      this.seek.max = String(end);
      this.totalText.textContent = clock(end);
      this.shownTime = '';
      this.render();
    }

    /** Time, slider and highlight for the current position; touches the DOM only on change. */
    render() {
      const t = this.audio.currentTime || 0;
      const shown = clock(t);
      if (shown !== this.shownTime) {
        this.shownTime = shown;
        this.currentText.textContent = shown;
        this.seek.setAttribute('aria-valuetext', `${shown} of ${clock(this.duration())}`);
      }
      if (!this.dragging) this.seek.value = String(t);
      this.highlight(locate(this.starts, t + EPSILON));
    }

    /** Mark sentence `i` as the one being spoken (class + aria-current, no live region). */
    highlight(i) {
      if (i === this.index) return;
      const old = this.sentences[this.index];
      if (old) {
        old.classList.remove('current');
        old.removeAttribute('aria-current');
      }
      this.index = i;
      const sentence = this.sentences[i];
      if (!sentence) return;
      sentence.classList.add('current');
      sentence.setAttribute('aria-current', 'true');
      if (!this.box.contains(document.activeElement)) this.rove(sentence);
      this.follow(sentence);
    }

    /** Roving tabindex: `sentence` is the one Tab reaches in the transcript. */
    rove(sentence) {
      this.sentences.forEach((s) => { s.tabIndex = s === sentence ? 0 : -1; });
    }

    /** Keep the spoken sentence in view, unless the listener is scrolling or reading elsewhere. */
    follow(sentence) {
      if (this.audio.paused || Date.now() - this.userScrolledAt < SCROLL_PAUSE_MS) return;
      if (this.box.contains(document.activeElement) && document.activeElement !== sentence) return;
      const box = this.box;
      if (box.scrollHeight > box.clientHeight + 1) {
        const top = sentence.offsetTop - box.offsetTop;
        if (top < box.scrollTop || top + sentence.offsetHeight > box.scrollTop + box.clientHeight) {
          box.scrollTop = Math.max(0, top - box.clientHeight / 3);
        }
        return;
      }
      const rect = sentence.getBoundingClientRect();
      if (document.body.classList.contains('embed') || (rect.top >= 0 && rect.bottom <= window.innerHeight)) return;
      const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      sentence.scrollIntoView({ block: 'center', behavior: smooth ? 'smooth' : 'auto' });
    }

    restoreSpeed() {
      const saved = storage.get(SPEED_KEY);
      if (saved && Array.from(this.speed.options).some((o) => o.value === saved)) {
        this.speed.value = saved;
        this.audio.defaultPlaybackRate = parseFloat(saved);
        this.audio.playbackRate = parseFloat(saved);
      }
    }

    /** Politely say what changed (play state, speed); the highlight never speaks. */
    announce(message, region = this.status) {
      if (!region) return;
      region.textContent = '';
      window.setTimeout(() => { region.textContent = message; }, 50);
    }

    enhanceEmbedCode() {
      const button = this.root.querySelector('[data-action="copy"]');
      const code = this.root.querySelector('.embed-code');
      if (!button || !code) return;
      button.hidden = false;
      button.addEventListener('click', () => {
        code.focus();
        code.select();
        const done = () => {
          button.textContent = 'Copied';
          this.announce('Embed code copied', this.root.querySelector('.copy-status'));
          window.setTimeout(() => { button.textContent = 'Copy embed code'; }, 2000);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(code.value).then(done, () => {
            if (document.execCommand('copy')) done();
          });
        } else if (document.execCommand('copy')) {
          done();
        }
      });
    }
  }

  const init = () => {
    document.documentElement.classList.remove('no-js');
    document.documentElement.classList.add('js');
    const root = document.querySelector('main.player');
    if (!root) return;
    const player = new Player(root);
    player.start();
    window.narratorPlayer = player; // for debugging and tests
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
