//! `App::update`: how each message and key changes the model.

use super::{App, Effect, FlowPick, Input, Key, Msg, Pane, Prompt, PromptFor, Tab, TimeMode};

impl App {
    /// New frames are in the store: release them to the replay, and to the
    /// view.
    fn arrived(&mut self) {
        if let Some(r) = &mut self.replay {
            r.tick(self.now, &self.store);
        }
        self.ingest();
    }

    /// Apply one message. Returns what the outside world must do, if
    /// anything.
    pub fn update(&mut self, msg: Msg) -> Option<Effect> {
        match msg {
            Msg::Frames(frames) => {
                for f in &frames {
                    self.store.push(f);
                }
                self.arrived();
            }
            Msg::Backing(bytes) => {
                self.store.set_backing(bytes);
                self.reassembled.recall_from(self.store.recall());
            }
            Msg::Indexed(frames) => {
                for f in &frames {
                    self.store.push_indexed(f);
                }
                self.arrived();
            }
            Msg::Progress { done, total } => self.counters.loading = Some((done, total)),
            Msg::SourceEnded { warning } => {
                self.counters.ended = true;
                self.counters.watching = None;
                self.counters.loading = None;
                if let Some(w) = warning {
                    self.notify(w, true);
                }
            }
            Msg::Watching { pending } => {
                self.counters.loading = None;
                self.counters.watching = Some(pending);
            }
            Msg::SourceFailed(e) => {
                self.counters.ended = true;
                self.counters.loading = None;
                self.counters.failed = Some(e);
            }
            Msg::Drops { kernel, wirepeek } => {
                self.counters.kernel_dropped = kernel;
                self.counters.wirepeek_dropped = wirepeek;
            }
            Msg::Processes(found) => self.flows.name_processes(found),
            Msg::Tick(now) => self.tick(now),
            Msg::Viewport {
                list,
                details,
                bytes,
            } => {
                self.list.set_rows(list);
                self.details.set_height(details);
                self.hex_rows = bytes.max(1);
            }
            Msg::FlowRows(rows) => {
                self.flows.list.set_rows(rows);
                if let Some(v) = &mut self.follow {
                    v.set_height(rows);
                }
                // Its title, basis line and header take one line more.
                self.stats.set_height(rows.saturating_sub(1));
            }
            Msg::GraphWidth(bins) => self.graph_width(bins),
            Msg::Followed { job, done, chunks } => self.followed(job, done, chunks),
            Msg::FollowEnded { job, nodes, notes } => self.follow_ended(job, nodes, notes),
            Msg::StatsProgress { job, done } => self.stats_progress(job, done),
            Msg::StatsDone { job, tally } => self.stats_done(job, tally),
            Msg::Sort(msg) => self.sort_msg(msg),
            Msg::Lesson { lines, height } => {
                self.lesson.lines = lines;
                self.lesson.height = height.max(1);
                self.lesson.scroll(0);
            }
            Msg::Saved { path, count } => {
                self.notify(format!("wrote {count} packets to {path}"), false);
            }
            Msg::SaveFailed(e) => self.notify(format!("save failed: {e}"), true),
            Msg::SaveExists { path, frames } => self.ask_replace(path, frames),
            Msg::Input(input) => {
                let before = (self.details.frame_index, self.details.cursor);
                let mut effect = self.input(input);
                if self.tab == Tab::Statistics && effect.is_none() {
                    // Figures of what the list shows now.
                    effect = self.stats_refresh(false);
                }
                if before != (self.details.frame_index, self.details.cursor) {
                    // A new selection: show its bytes again.
                    self.hex_scroll = None;
                }
                if before.0 != self.details.frame_index {
                    // And its lesson from the top.
                    self.lesson.top = 0;
                }
                return effect;
            }
        }
        None
    }

    fn tick(&mut self, now: u64) {
        self.now = now;
        if let Some(r) = &mut self.replay {
            r.tick(now, &self.store);
            self.ingest();
        }
        self.sort_tick();
        if self.notice.as_ref().is_some_and(|n| now >= n.until) {
            self.notice = None;
        }
        let (mark_time, mark_count) = self.counters.rate_mark;
        let elapsed = now.saturating_sub(mark_time);
        if elapsed >= 1_000_000_000 {
            let count = self.available();
            self.counters.rate = count.saturating_sub(mark_count) as f64 / (elapsed as f64 / 1e9);
            self.counters.rate_mark = (now, count);
        }
    }

    fn input(&mut self, input: Input) -> Option<Effect> {
        match input {
            Input::Key(Key::Ctrl('c')) => {
                self.quit = true;
                Some(Effect::Quit)
            }
            Input::Key(Key::Ctrl('z')) => Some(Effect::Suspend),
            Input::Key(key) if self.prompt.is_some() => self.prompt_key(key),
            Input::Key(Key::Esc) if self.searching() => {
                self.cancel_search();
                None
            }
            Input::Key(Key::Esc) if self.sorting() => {
                self.cancel_sort();
                None
            }
            Input::Key(_) if self.help => {
                self.help = false;
                None
            }
            Input::Key(key) => match self.tab {
                Tab::Flows => self.flows_key(key),
                Tab::Encapsulation => self.lesson_key(key),
                Tab::Follow => self.follow_key(key),
                Tab::Statistics => self.stats_key(key),
                Tab::Graphs => self.graph_key(key),
                Tab::Packets => self.key(key),
            },
            Input::Click { row, .. } if self.tab == Tab::Flows => {
                self.flows.list.click(row);
                None
            }
            Input::Click { .. } if self.tab == Tab::Encapsulation => None,
            Input::Click { row, .. } if self.tab == Tab::Statistics => {
                let to = self.stats.top + row;
                self.stats.move_by(to as isize - self.stats.cursor as isize);
                None
            }
            Input::Click { row, .. } if self.tab == Tab::Follow => {
                if let Some(v) = &mut self.follow {
                    let to = v.top + row;
                    v.move_by(to as isize - v.cursor as isize);
                }
                None
            }
            Input::Wheel { down, .. } if self.tab != Tab::Packets => {
                let delta = if down { 3 } else { -3 };
                match self.tab {
                    Tab::Flows => self.flows.list.move_by(delta),
                    Tab::Follow => {
                        if let Some(v) = &mut self.follow {
                            v.move_by(delta);
                        }
                    }
                    Tab::Statistics => self.stats.move_by(delta),
                    _ => self.lesson.scroll(delta),
                }
                None
            }
            Input::Click { pane, row } => {
                self.focus = pane;
                match pane {
                    Pane::List => {
                        self.list.click(row);
                        self.sync_details();
                    }
                    Pane::Details => self.details.click(row),
                    Pane::Bytes => {}
                }
                None
            }
            Input::Wheel { pane, down } => {
                let delta = if down { 3 } else { -3 };
                self.move_in(pane, delta);
                None
            }
        }
    }

    fn move_in(&mut self, pane: Pane, delta: isize) {
        match pane {
            Pane::List => {
                self.list.move_by(delta);
                self.sync_details();
            }
            Pane::Details => self.details.move_by(delta),
            Pane::Bytes => {
                // From where the view has it: near the highlight, 16 a row.
                let base = self.hex_scroll.unwrap_or_else(|| {
                    self.details
                        .highlight()
                        .map_or(0, |h| (h.start / 16).saturating_sub(1))
                });
                let last = self.details.shown_bytes().0.len() / 16;
                self.hex_scroll = Some(base.saturating_add_signed(delta).min(last));
            }
        }
    }

    pub(super) fn key(&mut self, key: Key) -> Option<Effect> {
        let page = |rows: usize| rows.saturating_sub(1).max(1) as isize;
        match key {
            Key::Char('q') => {
                self.quit = true;
                return Some(Effect::Quit);
            }
            Key::Char('?') => self.help = true,
            Key::Tab => self.focus = next_pane(self.focus, true),
            Key::BackTab => self.focus = next_pane(self.focus, false),
            Key::Char('1') => self.tab = Tab::Packets,
            Key::Char('2') => self.tab = Tab::Flows,
            Key::Char('3') => self.tab = Tab::Encapsulation,
            Key::Char('4') => self.tab = Tab::Follow,
            Key::Char('5') => self.tab = Tab::Statistics,
            Key::Char('6') => self.open_graphs(),
            Key::Char('F') => return self.start_follow(),
            Key::Up | Key::Char('k') => self.move_in(self.focus, -1),
            Key::Down | Key::Char('j') => self.move_in(self.focus, 1),
            Key::PageUp => {
                let rows = self.rows_of(self.focus);
                self.move_in(self.focus, -page(rows));
            }
            Key::PageDown => {
                let rows = self.rows_of(self.focus);
                self.move_in(self.focus, page(rows));
            }
            Key::Home | Key::Char('g') => self.jump(false),
            Key::End | Key::Char('G') => self.jump(true),
            Key::Enter | Key::Char(' ') => match self.focus {
                Pane::Details => self.details.toggle(),
                Pane::List | Pane::Bytes => self.details.toggle_all(),
            },
            Key::Right | Key::Char('l') if self.focus == Pane::Details => {
                self.details.open_at_cursor(true)
            }
            Key::Left | Key::Char('h') if self.focus == Pane::Details => {
                self.details.open_at_cursor(false)
            }
            Key::Char('/') => {
                let text = self
                    .view
                    .display
                    .as_ref()
                    .map(|a| a.text.clone())
                    .unwrap_or_default();
                self.open_prompt(PromptFor::Filter, text);
            }
            Key::Char('s') => self.open_save(),
            Key::Char('c') => {
                let text = super::columns::columns_text(&self.columns);
                self.open_prompt(PromptFor::Columns, text);
            }
            Key::Char('o') => self.sort_next_column(),
            Key::Char('O') => self.sort_reverse(),
            Key::Char(':') => self.open_prompt(PromptFor::Command, String::new()),
            Key::Ctrl('f') => self.open_prompt(PromptFor::Find, String::new()),
            Key::Char('m') => self.toggle_mark(),
            Key::Char(']') => self.jump_mark(true),
            Key::Char('[') => self.jump_mark(false),
            Key::Ctrl('t') => self.toggle_time_ref(),
            Key::Char('a') | Key::Char('A') => self.apply_field(key == Key::Char('A')),
            Key::Char('y') => return self.copy(),
            Key::Esc | Key::Backspace => self.clear_flow(),
            Key::Char('p') => self.toggle_pause(),
            Key::Char('f') => {
                self.list.follow = !self.list.follow;
                if self.list.follow {
                    self.jump(true);
                }
            }
            Key::Char('t') => {
                self.time = match self.time {
                    TimeMode::Relative => TimeMode::Absolute,
                    TimeMode::Absolute => TimeMode::Delta,
                    TimeMode::Delta => TimeMode::Relative,
                };
            }
            // After a search, n/N find again; in a replay without one they
            // step.
            Key::Char('n') | Key::Char('N') if self.find.is_some() || self.replay.is_none() => {
                self.find_next(key == Key::Char('n'))
            }
            Key::Char('n') | Key::Char('N') => self.step(key == Key::Char('n')),
            Key::Char('+') | Key::Char('=') | Key::Char('-') => {
                let faster = key != Key::Char('-');
                match &mut self.replay {
                    Some(r) => r.change_speed(faster, self.now),
                    None => self.notify("+/- change the speed of a replay (--replay)", false),
                }
            }
            _ => {}
        }
        None
    }

    /// Keys on the Flows tab: move in the table, Enter shows the selected
    /// conversation's packets, Esc or Backspace shows all again.
    fn flows_key(&mut self, key: Key) -> Option<Effect> {
        let page = self.flows.list.rows.saturating_sub(1).max(1) as isize;
        match key {
            Key::Up | Key::Char('k') => self.flows.list.move_by(-1),
            Key::Down | Key::Char('j') => self.flows.list.move_by(1),
            Key::PageUp => self.flows.list.move_by(-page),
            Key::PageDown => self.flows.list.move_by(page),
            Key::Home | Key::Char('g') => self.flows.list.select(0),
            Key::End | Key::Char('G') => self.flows.list.select(usize::MAX),
            Key::Enter => self.pick_flow(),
            Key::Esc | Key::Backspace => self.clear_flow(),
            _ => return self.key(key),
        }
        None
    }

    /// Keys on the Encapsulation tab: scroll the lesson.
    fn lesson_key(&mut self, key: Key) -> Option<Effect> {
        let page = self.lesson.height.saturating_sub(1).max(1) as isize;
        match key {
            Key::Up | Key::Char('k') => self.lesson.scroll(-1),
            Key::Down | Key::Char('j') => self.lesson.scroll(1),
            Key::PageUp => self.lesson.scroll(-page),
            Key::PageDown | Key::Char(' ') => self.lesson.scroll(page),
            Key::Home | Key::Char('g') => self.lesson.top = 0,
            Key::End | Key::Char('G') => self.lesson.scroll(isize::MAX),
            Key::Char('d') => (self.lesson.diagram, self.lesson.top) = (!self.lesson.diagram, 0),
            _ => return self.key(key),
        }
        None
    }

    /// Show only the selected conversation's packets, on the Packets tab.
    fn pick_flow(&mut self) {
        let Some(row) = self.flows.selected_row() else {
            self.notify("no conversation to show yet", false);
            return;
        };
        self.view.flow = Some(FlowPick {
            text: self.flows.label(row),
            row,
        });
        self.tab = Tab::Packets;
        self.focus = Pane::List;
        self.refilter(false);
    }

    fn clear_flow(&mut self) {
        if self.view.flow.take().is_some() {
            self.refilter(false);
        }
    }

    fn rows_of(&self, pane: Pane) -> usize {
        match pane {
            Pane::List => self.list.rows,
            Pane::Details => self.details.height,
            Pane::Bytes => self.hex_rows,
        }
    }

    fn jump(&mut self, end: bool) {
        match self.focus {
            Pane::List => {
                self.list.select(if end { usize::MAX } else { 0 });
                self.sync_details();
            }
            Pane::Details => self.details.jump(end),
            Pane::Bytes => {
                self.hex_scroll = Some(if end {
                    self.details.shown_bytes().0.len() / 16
                } else {
                    0
                })
            }
        }
    }

    /// `p`: in a replay, pause or resume playback (paused, `n`/`N` step);
    /// otherwise freeze the view while capture goes on.
    fn toggle_pause(&mut self) {
        if let Some(r) = &mut self.replay {
            let stepping = !r.stepping;
            r.set_stepping(stepping, self.now, &self.store);
            self.ingest();
            return;
        }
        self.paused = !self.paused;
        self.ingest();
    }

    fn step(&mut self, forward: bool) {
        let Some(r) = &mut self.replay else {
            self.notify("n/N step through a replay (--replay)", false);
            return;
        };
        if forward {
            r.step_forward(self.now, &self.store);
        } else {
            r.step_back(self.now, &self.store);
        }
        self.ingest();
    }

    fn open_prompt(&mut self, purpose: PromptFor, text: String) {
        let mut prompt = Prompt::new(purpose, text);
        if purpose == PromptFor::Filter {
            prompt.error = self.view.check(&prompt.text).err();
        }
        if let Some(h) = self.history(purpose) {
            h.reset();
        }
        self.prompt = Some(prompt);
    }

    fn history(&mut self, purpose: PromptFor) -> Option<&mut super::History> {
        match purpose {
            PromptFor::Filter => Some(&mut self.filter_history),
            PromptFor::Command => Some(&mut self.command_history),
            PromptFor::Find | PromptFor::FollowFind => Some(&mut self.find_history),
            PromptFor::Columns => Some(&mut self.columns_history),
            PromptFor::SavePath | PromptFor::Replace => None,
        }
    }

    fn prompt_key(&mut self, key: Key) -> Option<Effect> {
        let purpose = self.prompt.as_ref()?.purpose;
        if purpose == PromptFor::Replace {
            return self.replace_key(key);
        }
        match key {
            Key::Esc => {
                self.prompt = None;
                return None;
            }
            Key::Enter => {
                let Prompt { purpose, text, .. } = self.prompt.take()?;
                if let Some(h) = self.history(purpose) {
                    h.push(&text);
                }
                return self.submit(purpose, text);
            }
            Key::Up | Key::Down => {
                let current = self.prompt.as_ref()?.text.clone();
                if let Some(line) = self
                    .history(purpose)
                    .and_then(|h| h.walk(key == Key::Up, &current))
                {
                    self.prompt.as_mut()?.set(line);
                }
            }
            Key::Tab if purpose == PromptFor::SavePath => self.save_scope = self.save_scope.next(),
            Key::Tab if purpose == PromptFor::Find => self.find_kind = self.find_kind.next(),
            _ => {
                self.prompt.as_mut()?.edit(key);
            }
        }
        if purpose == PromptFor::Filter {
            let text = self.prompt.as_ref()?.text.clone();
            self.prompt.as_mut()?.error = self.view.check(&text).err();
        }
        if purpose == PromptFor::Columns {
            let text = self.prompt.as_ref()?.text.clone();
            self.prompt.as_mut()?.error = super::columns::parse_columns(&text).err();
        }
        None
    }

    /// Install `text` as the display filter and show what it lets through;
    /// a bad one keeps the old filter and says why.
    pub(super) fn apply_filter(&mut self, text: &str) {
        match self.view.set_display(text) {
            Ok(()) => {
                // A warning about an earlier filter no longer applies.
                if self.notice.as_ref().is_some_and(|n| n.warn) {
                    self.notice = None;
                }
                self.refilter(true);
            }
            Err(e) => self.notify(format!("filter not applied: {e}"), true),
        }
    }

    fn submit(&mut self, purpose: PromptFor, text: String) -> Option<Effect> {
        match purpose {
            PromptFor::Filter => self.apply_filter(&text),
            PromptFor::SavePath => return self.submit_save(&text),
            PromptFor::Command => self.command(&text),
            PromptFor::Find => self.start_find(&text),
            PromptFor::FollowFind => self.start_follow_find(&text),
            PromptFor::Columns => self.set_columns(&text),
            PromptFor::Replace => {}
        }
        None
    }
}

fn next_pane(p: Pane, forward: bool) -> Pane {
    const ORDER: [Pane; 3] = [Pane::List, Pane::Details, Pane::Bytes];
    let i = ORDER.iter().position(|x| *x == p).unwrap_or(0);
    let n = if forward { i + 1 } else { i + ORDER.len() - 1 };
    ORDER[n % ORDER.len()]
}
