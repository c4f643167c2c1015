//! The Markers panel: the review's markers as a list in time order, with
//! a kind filter, a click on a row's time to go there, the note, kind and
//! times edited in place, delete, and a Kinds section to add, rename and
//! recolour kinds. It owns only view state (the filter, the field being
//! edited and its draft text, whether Kinds is open, where to scroll); the
//! review is borrowed for the frame and never changed here: what the user
//! asks for comes back as a [`MarkersAction`], which the app turns into an
//! undoable edit (`review::marking`). Only the rows on screen are laid out,
//! so ten thousand markers cost what a screenful does.

use std::collections::VecDeque;

use eframe::egui::{
    self, Align, Color32, Key, Layout, Rect, Role, Sense, Stroke, StrokeKind, UiBuilder,
    WidgetInfo, vec2,
};

use super::style::{clock_label, kind_color};
use crate::review::markers::{CHAPTER, Marker, MarkerKind};
use crate::review::{Edit, ReviewState, marking};

/// From this long on, times show hours ("1:02:03").
const HOUR_MS: u64 = 3_600_000;
/// How long after a point marker the playhead still counts as on it.
const POINT_SPAN_MS: u64 = 1_000;
/// Width of a start or end field.
const TIME_FIELD_WIDTH: f32 = 62.0;
/// Width of a start or end field when times show hours.
const TIME_FIELD_WIDTH_HOURS: f32 = 78.0;
/// Width of a row's kind drop-down.
const KIND_COMBO_WIDTH: f32 = 96.0;
/// Width of a kind's name field in the Kinds section.
const KIND_NAME_WIDTH: f32 = 140.0;
/// Space above and below a row's two lines.
const ROW_PADDING: f32 = 2.0;
/// Side of a kind's colour swatch.
const SWATCH_SIZE: f32 = 10.0;
/// The colours a kind's picker offers at a click: the default kinds' and
/// ten more, apart from each other.
const PRESET_COLOURS: [[u8; 3]; 16] = [
    [0x4c, 0x8b, 0xf5],
    [0xf5, 0xa6, 0x23],
    [0xe5, 0x48, 0x4d],
    [0xa3, 0x5c, 0xd6],
    [0x2e, 0xb8, 0x8a],
    [0x9a, 0xa0, 0xa6],
    [0x17, 0xbe, 0xcf],
    [0xe3, 0x77, 0xc2],
    [0xbc, 0xbd, 0x22],
    [0x8c, 0x56, 0x4b],
    [0x1f, 0x77, 0xb4],
    [0xff, 0x7f, 0x0e],
    [0x2c, 0xa0, 0x2c],
    [0xd6, 0x27, 0x28],
    [0x94, 0x67, 0xbd],
    [0x60, 0x60, 0x60],
];
/// The colour of a marker whose kind the user no longer has.
const UNKNOWN_KIND_COLOR: [u8; 3] = [0x80, 0x80, 0x80];

/// What the app lends the panel for a frame.
pub struct MarkersInput<'a> {
    /// The episode's review: its markers (in time order) and kinds.
    pub review: &'a ReviewState,
    /// The playhead, in audio milliseconds (its markers are highlighted).
    pub pos_ms: u64,
    /// The audio's length (0 when unknown); no time is accepted past it.
    pub duration_ms: u64,
}

/// What the user asked for; the app makes the matching `marking` edit.
/// Indices are into `ReviewState::markers` / `ReviewState::kinds` as lent
/// this frame, whatever the filter shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkersAction {
    /// Move the playhead here (a row's time was clicked).
    Seek(u64),
    /// Replace marker `index` with `marker` (its note, kind or times changed).
    Change {
        /// The marker's index.
        index: usize,
        /// What it becomes.
        marker: Marker,
    },
    /// Delete marker `index`.
    Delete(usize),
    /// Add this kind (its name checked to be new and not empty).
    AddKind(MarkerKind),
    /// Rename kind `index` (its markers with it).
    RenameKind {
        /// The kind's index.
        index: usize,
        /// Its new name, trimmed, checked to be free and not empty.
        name: String,
    },
    /// Give kind `index` this colour.
    RecolourKind {
        /// The kind's index.
        index: usize,
        /// Red, green and blue.
        color: [u8; 3],
    },
}

impl MarkersAction {
    /// The edit of `review` this asks for (`None` for a seek, or when it
    /// would change nothing).
    pub fn edit(self, review: &ReviewState) -> Option<Edit> {
        match self {
            MarkersAction::Seek(_) => None,
            MarkersAction::Change { index, marker } => marking::change(review, index, marker),
            MarkersAction::Delete(index) => marking::delete(review, index),
            MarkersAction::AddKind(kind) => marking::add_kind(review, kind),
            MarkersAction::RenameKind { index, name } => marking::rename_kind(review, index, &name),
            MarkersAction::RecolourKind { index, color } => {
                marking::recolour_kind(review, index, color)
            }
        }
    }
}

/// The panel's view state; see the module documentation.
#[derive(Debug, Default)]
pub struct MarkersPanel {
    /// The panel is shown (the app draws it only then).
    pub open: bool,
    /// Show only the markers of this kind (an index into the kinds).
    filter: Option<usize>,
    /// The field being edited, if any.
    draft: Option<Draft>,
    /// A colour being picked for kind `.0`, committed when the pointer is up.
    colour: Option<(usize, [u8; 3])>,
    /// The Add kind field.
    new_kind: String,
    /// Why the last Add kind was refused.
    new_kind_refused: Option<String>,
    /// The Kinds section is open.
    kinds_open: bool,
    /// Scroll this marker into view on the next frame.
    scroll_to: Option<usize>,
    /// Where the list was scrolled to last frame.
    viewport: Option<Viewport>,
    /// What the user asked for and the app has not yet been given: one
    /// action goes out per frame.
    queue: VecDeque<Queued>,
}

/// Which text field a draft is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Note,
    Start,
    End,
    KindName,
}

/// The text of the field being edited, committed when the field loses the
/// keyboard (Enter, Tab, a click elsewhere), dropped on Escape.
#[derive(Debug)]
struct Draft {
    field: Field,
    /// The marker's index (the kind's, for [`Field::KindName`]).
    index: usize,
    /// The marker as it was when editing began: the edit is made to it,
    /// wherever an edit elsewhere has moved it since.
    original: Option<Marker>,
    text: String,
    /// The text field's id.
    id: egui::Id,
    /// Why committing the text was refused: it stays, shown red, until
    /// changed or dropped.
    refused: Option<String>,
    /// Whether the field was drawn this frame, had the keyboard, and just
    /// lost it.
    seen: bool,
    focused: bool,
    lost: bool,
}

/// An action waiting to go out, with the marker it is about (to find it
/// again if an earlier action moved it).
#[derive(Debug)]
struct Queued {
    action: MarkersAction,
    target: Option<Marker>,
}

/// The list's scroll offset and visible height, in points.
#[derive(Debug, Clone, Copy)]
struct Viewport {
    offset: f32,
    height: f32,
}

/// The rows the list shows: every marker, or those of one kind (indices in
/// time order).
enum Rows {
    All(usize),
    Only(Vec<usize>),
}

impl Rows {
    fn new(review: &ReviewState, filter: Option<usize>) -> Rows {
        match filter.and_then(|k| review.kinds.get(k)) {
            None => Rows::All(review.markers.len()),
            Some(kind) => Rows::Only(
                review
                    .markers
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.is(&kind.name))
                    .map(|(index, _)| index)
                    .collect(),
            ),
        }
    }

    fn len(&self) -> usize {
        match self {
            Rows::All(len) => *len,
            Rows::Only(indices) => indices.len(),
        }
    }

    /// The marker shown in row `row`.
    fn index(&self, row: usize) -> Option<usize> {
        match self {
            Rows::All(len) => (row < *len).then_some(row),
            Rows::Only(indices) => indices.get(row).copied(),
        }
    }

    /// The row marker `index` is shown in.
    fn row(&self, index: usize) -> Option<usize> {
        match self {
            Rows::All(len) => (index < *len).then_some(index),
            Rows::Only(indices) => indices.binary_search(&index).ok(),
        }
    }
}

/// What a text field edits, for [`MarkersPanel::draft_field_ui`].
struct FieldSpec<'a> {
    field: Field,
    index: usize,
    /// What the field shows when not being edited.
    current: String,
    original: Option<&'a Marker>,
    width: f32,
    hint: &'a str,
    /// Its name for screen readers (and tests).
    name: String,
}

impl MarkersPanel {
    /// Draws the panel into `ui` (the app's side panel) and returns what the
    /// user asked for this frame, if anything.
    pub fn ui(&mut self, ui: &mut egui::Ui, input: &MarkersInput) -> Option<MarkersAction> {
        self.begin_frame(input.review);
        self.header_ui(ui, input);
        self.kinds_section_ui(ui, input);
        ui.separator();
        self.list_ui(ui, input);
        self.end_frame(ui, input);
        let action = self.next_action(input.review);
        if !self.queue.is_empty() {
            ui.ctx().request_repaint();
        }
        action
    }

    /// Escape while one of the panel's fields has the keyboard: what was
    /// typed there is dropped and the field lets the keyboard go (the app
    /// owns the Escape key, so the field never sees it). Whether there was
    /// such a field.
    pub fn cancel_typing(&mut self, ctx: &egui::Context) -> bool {
        let Some(draft) = self.draft.as_ref().filter(|d| d.focused) else {
            return false;
        };
        let id = draft.id;
        ctx.memory_mut(|memory| memory.surrender_focus(id));
        self.draft = None;
        true
    }

    /// Scrolls marker `index` into view on the next frame (after next or
    /// previous marker), showing every kind if the filter hides it.
    pub fn reveal(&mut self, index: usize) {
        self.scroll_to = Some(index);
    }

    /// Readies the view state for this frame's review.
    fn begin_frame(&mut self, review: &ReviewState) {
        if self.filter.is_some_and(|k| k >= review.kinds.len()) {
            self.filter = None;
        }
        if self.colour.is_some_and(|(k, _)| k >= review.kinds.len()) {
            self.colour = None;
        }
        if let Some(index) = self.scroll_to
            && let (Some(marker), Some(kind)) = (
                review.markers.get(index),
                self.filter.and_then(|k| review.kinds.get(k)),
            )
            && !marker.is(&kind.name)
        {
            self.filter = None;
        }
        self.follow_draft(review);
    }

    /// Keeps the draft on its marker when an edit elsewhere moved it, and
    /// drops it when its marker (or kind) is gone.
    fn follow_draft(&mut self, review: &ReviewState) {
        let Some(draft) = self.draft.as_mut() else {
            return;
        };
        draft.seen = false;
        draft.focused = false;
        draft.lost = false;
        let index = match &draft.original {
            Some(original) => locate(review, draft.index, original),
            None => (draft.index < review.kinds.len()).then_some(draft.index),
        };
        match index {
            Some(index) => draft.index = index,
            None => self.draft = None,
        }
    }

    /// "12 markers" and the kind filter; why an edit was refused; what to
    /// do when there is nothing yet.
    fn header_ui(&mut self, ui: &mut egui::Ui, input: &MarkersInput) {
        let review = input.review;
        ui.horizontal(|ui| {
            ui.strong(count_label(&Rows::new(review, self.filter), review));
            self.filter_ui(ui, review);
        });
        if let Some(draft) = &self.draft
            && draft.field != Field::KindName
            && let Some(why) = &draft.refused
        {
            refusal_ui(ui, why);
        }
        if review.markers.is_empty() {
            ui.weak(
                "Press M to add a marker at the playhead, or I and O then M for a range. \
                 Markers show here in time order.",
            );
        }
    }

    /// The kind filter's drop-down: "All kinds" or one kind.
    fn filter_ui(&mut self, ui: &mut egui::Ui, review: &ReviewState) {
        let selected = self
            .filter
            .and_then(|k| review.kinds.get(k))
            .map_or("All kinds", |kind| kind.name.as_str());
        egui::ComboBox::from_id_salt("marker-kind-filter")
            .selected_text(selected)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut self.filter, None, "All kinds");
                for (index, kind) in review.kinds.iter().enumerate() {
                    ui.horizontal(|ui| {
                        swatch_ui(ui, kind.color);
                        ui.selectable_value(&mut self.filter, Some(index), kind.name.as_str());
                    });
                }
            })
            .response
            .accessible_name("Kind filter")
            .on_hover_text("Show the markers of one kind");
    }

    /// The collapsible Kinds section.
    fn kinds_section_ui(&mut self, ui: &mut egui::Ui, input: &MarkersInput) {
        let section = egui::CollapsingHeader::new("Kinds")
            .id_salt("marker-kinds")
            .open(Some(self.kinds_open))
            .show(ui, |ui| self.kinds_ui(ui, input));
        if section.header_response.clicked() {
            self.kinds_open = !self.kinds_open;
        }
    }

    /// Each kind's colour and name, and Add kind.
    fn kinds_ui(&mut self, ui: &mut egui::Ui, input: &MarkersInput) {
        for (index, kind) in input.review.kinds.iter().enumerate() {
            ui.horizontal(|ui| {
                self.colour_button_ui(ui, index, kind);
                let spec = FieldSpec {
                    field: Field::KindName,
                    index,
                    current: kind.name.clone(),
                    original: None,
                    width: KIND_NAME_WIDTH,
                    hint: "name",
                    name: format!("Name of kind {}", kind.name),
                };
                self.draft_field_ui(ui, input, spec)
                    .on_hover_text("Enter renames the kind and its markers");
            });
        }
        if let Some(draft) = &self.draft
            && draft.field == Field::KindName
            && let Some(why) = &draft.refused
        {
            refusal_ui(ui, why);
        }
        self.add_kind_ui(ui, input.review);
    }

    /// A kind's colour button and its picker; the colour is committed when
    /// the pointer is released, so one drag of a channel is one edit.
    fn colour_button_ui(&mut self, ui: &mut egui::Ui, index: usize, kind: &MarkerKind) {
        let mut color = match self.colour {
            Some((k, color)) if k == index => color,
            _ => kind.color,
        };
        let picked = color;
        let response = colour_well_ui(ui, color, &format!("Colour of {}", kind.name))
            .on_hover_text(format!("Change the colour of {}", kind.name));
        egui::Popup::menu(&response)
            .id(ui.make_persistent_id(("kind-colour", index)))
            .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
            .show(|ui| colour_picker_ui(ui, &mut color, &kind.name));
        if color != picked {
            self.colour = Some((index, color));
        }
    }

    /// "New kind: [   ] Add kind", and why an addition was refused.
    fn add_kind_ui(&mut self, ui: &mut egui::Ui, review: &ReviewState) {
        ui.horizontal(|ui| {
            let label = ui.label("New kind:");
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut self.new_kind)
                        .id_salt("new-marker-kind")
                        .hint_text("name")
                        .desired_width(KIND_NAME_WIDTH - 40.0),
                )
                .labelled_by(label.id);
            if field.changed() {
                self.new_kind_refused = None;
            }
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            let button = ui
                .button("Add kind")
                .on_hover_text("A new kind, in a colour of its own");
            if enter || button.clicked() {
                let added = self.add_kind(review);
                if !added && enter {
                    // Refused: the keyboard stays for the name to be fixed.
                    field.request_focus();
                }
            }
        });
        if let Some(why) = &self.new_kind_refused {
            refusal_ui(ui, why);
        }
    }

    /// Queues the kind named in the Add kind field; false, with the reason
    /// kept, when the name is empty or taken.
    fn add_kind(&mut self, review: &ReviewState) -> bool {
        match checked_kind_name(&review.kinds, &self.new_kind, None) {
            Ok(name) => {
                let color = fresh_colour(&review.kinds);
                self.push(MarkersAction::AddKind(MarkerKind { name, color }), None);
                self.new_kind.clear();
                self.new_kind_refused = None;
                true
            }
            Err(why) => {
                self.new_kind_refused = Some(why);
                false
            }
        }
    }

    /// The markers, only the rows on screen laid out.
    fn list_ui(&mut self, ui: &mut egui::Ui, input: &MarkersInput) {
        let rows = Rows::new(input.review, self.filter);
        if rows.len() == 0 {
            if let Some(kind) = self.filter.and_then(|k| input.review.kinds.get(k)) {
                ui.weak(format!("No {} markers.", kind.name));
            }
            return;
        }
        let row_height = row_height(ui);
        let stride = row_height + ui.spacing().item_spacing.y;
        let mut area = egui::ScrollArea::vertical()
            .id_salt("markers-list")
            .auto_shrink([false, false]);
        if let Some(offset) = self
            .scroll_to
            .take()
            .and_then(|index| rows.row(index))
            .and_then(|row| offset_to_show(row, stride, row_height, self.viewport))
        {
            area = area.vertical_scroll_offset(offset);
        }
        let output = area.show_rows(ui, row_height, rows.len(), |ui, visible| {
            for row in visible {
                if let Some(index) = rows.index(row) {
                    self.row_ui(ui, input, index, row, row_height);
                }
            }
        });
        self.viewport = Some(Viewport {
            offset: output.state.clamped_offset().y,
            height: output.inner_rect.height(),
        });
    }

    /// One marker: time, kind and delete on the first line; start, end
    /// and note on the second.
    fn row_ui(
        &mut self,
        ui: &mut egui::Ui,
        input: &MarkersInput,
        index: usize,
        row: usize,
        row_height: f32,
    ) {
        let Some(marker) = input.review.markers.get(index) else {
            return;
        };
        let (rect, _) =
            ui.allocate_exact_size(vec2(ui.available_width(), row_height), Sense::hover());
        if !ui.is_rect_visible(rect) {
            return;
        }
        paint_row_background(ui, rect, row, is_under_playhead(marker, input.pos_ms));
        let mut row_ui = ui.new_child(
            UiBuilder::new()
                .scope_id(ui.scope_id().with(("marker-row", index)))
                .max_rect(rect.shrink2(vec2(ROW_PADDING, ROW_PADDING)))
                .layout(Layout::top_down(Align::Min)),
        );
        row_ui.set_clip_rect(rect.intersect(ui.clip_rect()));
        let span = span_label(marker, input.duration_ms);
        row_ui.horizontal(|ui| self.row_head_ui(ui, input.review, index, marker, &span));
        row_ui.horizontal(|ui| self.row_fields_ui(ui, input, index, marker, &span));
    }

    /// The time (click: go there), the kind, and delete.
    fn row_head_ui(
        &mut self,
        ui: &mut egui::Ui,
        review: &ReviewState,
        index: usize,
        marker: &Marker,
        span: &str,
    ) {
        let seek = ui
            .add(egui::Button::new(span).small())
            .accessible_name(format!("Go to {span}"))
            .on_hover_text(format!("Go to {}", clock_label(marker.start_ms, false)));
        if seek.clicked() {
            self.push(MarkersAction::Seek(marker.start_ms), None);
        }
        let [r, g, b, _] = kind_color(review, &marker.kind).to_array();
        swatch_ui(ui, [r, g, b]);
        self.kind_combo_ui(ui, review, index, marker, span);
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if delete_button_ui(ui, &format!("Delete marker at {span}")).clicked() {
                self.push(MarkersAction::Delete(index), Some(marker.clone()));
            }
        });
    }

    /// A row's kind drop-down; choosing another kind changes the marker.
    fn kind_combo_ui(
        &mut self,
        ui: &mut egui::Ui,
        review: &ReviewState,
        index: usize,
        marker: &Marker,
        span: &str,
    ) {
        let mut chosen = None;
        egui::ComboBox::from_id_salt("marker-kind")
            .selected_text(marker.kind.as_str())
            .width(KIND_COMBO_WIDTH)
            .show_ui(ui, |ui| {
                for kind in &review.kinds {
                    ui.horizontal(|ui| {
                        swatch_ui(ui, kind.color);
                        if ui
                            .selectable_label(marker.is(&kind.name), kind.name.as_str())
                            .clicked()
                        {
                            chosen = Some(kind.name.clone());
                        }
                    });
                }
            })
            .response
            .accessible_name(format!("Kind at {span}"));
        if let Some(kind) = chosen.filter(|kind| *kind != marker.kind) {
            let changed = Marker {
                kind,
                ..marker.clone()
            };
            let action = MarkersAction::Change {
                index,
                marker: changed,
            };
            self.push(action, Some(marker.clone()));
        }
    }

    /// A row's start, end and note fields.
    fn row_fields_ui(
        &mut self,
        ui: &mut egui::Ui,
        input: &MarkersInput,
        index: usize,
        marker: &Marker,
        span: &str,
    ) {
        let width = if input.duration_ms >= HOUR_MS {
            TIME_FIELD_WIDTH_HOURS
        } else {
            TIME_FIELD_WIDTH
        };
        let start = FieldSpec {
            field: Field::Start,
            index,
            current: time_field_text(marker.start_ms, input.duration_ms),
            original: Some(marker),
            width,
            hint: "start",
            name: format!("Start of {span}"),
        };
        self.draft_field_ui(ui, input, start)
            .on_hover_text("Where it starts, as 1:23.4");
        ui.label("–");
        let end = FieldSpec {
            field: Field::End,
            index,
            current: marker
                .end_ms
                .map(|end_ms| time_field_text(end_ms, input.duration_ms))
                .unwrap_or_default(),
            original: Some(marker),
            width,
            hint: "end",
            name: format!("End of {span}"),
        };
        self.draft_field_ui(ui, input, end)
            .on_hover_text("Where a range ends; empty for a point");
        let note = FieldSpec {
            field: Field::Note,
            index,
            current: marker.note.clone(),
            original: Some(marker),
            width: ui.available_width(),
            hint: if marker.is(CHAPTER) {
                "chapter title"
            } else {
                "note"
            },
            name: format!("Note at {span}"),
        };
        self.draft_field_ui(ui, input, note);
    }

    /// A single-line field showing `spec.current`, or the draft when it is
    /// the one being edited; taking the keyboard starts a draft.
    fn draft_field_ui(
        &mut self,
        ui: &mut egui::Ui,
        input: &MarkersInput,
        spec: FieldSpec,
    ) -> egui::Response {
        let id = ui.make_persistent_id(("marker-field", spec.field, spec.index));
        let mine = self
            .draft
            .as_ref()
            .is_some_and(|d| d.field == spec.field && d.index == spec.index);
        let mut copy = spec.current;
        let (response, refused) = {
            let (text, refused) = match self.draft.as_mut() {
                Some(draft) if mine => (&mut draft.text, draft.refused.clone()),
                _ => (&mut copy, None),
            };
            let mut edit = egui::TextEdit::singleline(text)
                .id(id)
                .desired_width(spec.width)
                .hint_text(spec.hint);
            if refused.is_some() {
                edit = edit.text_color(ui.visuals().error_fg_color);
            }
            (ui.add(edit).accessible_name(spec.name), refused)
        };
        if mine {
            if let Some(draft) = self.draft.as_mut() {
                draft.seen = true;
                draft.focused = response.has_focus();
                draft.lost = response.lost_focus();
                if response.changed() {
                    draft.refused = None;
                }
            }
        } else if response.has_focus() {
            let draft = Draft {
                field: spec.field,
                index: spec.index,
                original: spec.original.cloned(),
                text: copy,
                id: response.id,
                refused: None,
                seen: true,
                focused: true,
                lost: false,
            };
            self.start_draft(ui, input, draft);
        }
        match refused {
            Some(why) => response.on_hover_text(why),
            None => response,
        }
    }

    /// Makes `draft` the one being edited, committing the one before.
    fn start_draft(&mut self, ui: &egui::Ui, input: &MarkersInput, draft: Draft) {
        if self.draft.is_some() {
            self.settle_draft(ui, input, true);
        }
        self.draft = Some(draft);
    }

    /// Ends the draft once its field no longer has the keyboard (or was not
    /// drawn): Escape drops it, otherwise it is committed, or kept and
    /// marked refused when not valid (the keyboard going back to it when it
    /// was Enter). `replaced`: another field took over, so it ends now,
    /// dropped if not valid.
    fn settle_draft(&mut self, ui: &egui::Ui, input: &MarkersInput, replaced: bool) {
        let Some(draft) = self.draft.as_mut() else {
            return;
        };
        if !replaced && draft.seen && draft.focused {
            return;
        }
        let (escape, enter) = ui.input(|i| (i.key_pressed(Key::Escape), i.key_pressed(Key::Enter)));
        if escape && !replaced {
            self.draft = None;
            return;
        }
        if draft.refused.is_some() && !draft.lost && !replaced {
            return;
        }
        match commit(draft, input) {
            Ok(action) => {
                let target = draft.original.clone();
                self.draft = None;
                if let Some(action) = action {
                    self.push(action, target);
                }
            }
            Err(_) if replaced => self.draft = None,
            Err(why) => {
                if enter && draft.lost {
                    ui.memory_mut(|m| m.request_focus(draft.id));
                }
                draft.refused = Some(why);
            }
        }
    }

    /// After drawing: settles the draft and a picked colour.
    fn end_frame(&mut self, ui: &egui::Ui, input: &MarkersInput) {
        self.settle_draft(ui, input, false);
        if let Some((index, color)) = self.colour
            && !ui.input(|i| i.pointer.any_down())
        {
            self.colour = None;
            if input
                .review
                .kinds
                .get(index)
                .is_some_and(|k| k.color != color)
            {
                self.push(MarkersAction::RecolourKind { index, color }, None);
            }
        }
    }

    fn push(&mut self, action: MarkersAction, target: Option<Marker>) {
        self.queue.push_back(Queued { action, target });
    }

    /// The next queued action, its marker index brought up to date (an
    /// action whose marker is gone is dropped).
    fn next_action(&mut self, review: &ReviewState) -> Option<MarkersAction> {
        while let Some(Queued { action, target }) = self.queue.pop_front() {
            let Some(target) = target else {
                return Some(action);
            };
            match action {
                MarkersAction::Delete(index) => {
                    if let Some(index) = locate(review, index, &target) {
                        return Some(MarkersAction::Delete(index));
                    }
                }
                MarkersAction::Change { index, marker } => {
                    if let Some(index) = locate(review, index, &target) {
                        return Some(MarkersAction::Change { index, marker });
                    }
                }
                other => return Some(other),
            }
        }
        None
    }
}

/// What committing `draft` asks for: nothing when the text changes
/// nothing, or why the text is refused.
fn commit(draft: &Draft, input: &MarkersInput) -> Result<Option<MarkersAction>, String> {
    let review = input.review;
    if draft.field == Field::KindName {
        let Some(kind) = review.kinds.get(draft.index) else {
            return Ok(None);
        };
        let name = checked_kind_name(&review.kinds, &draft.text, Some(draft.index))?;
        return Ok((name != kind.name).then_some(MarkersAction::RenameKind {
            index: draft.index,
            name,
        }));
    }
    let Some(original) = &draft.original else {
        return Ok(None);
    };
    let Some(index) = locate(review, draft.index, original) else {
        return Ok(None);
    };
    let marker = edited_marker(original, draft.field, &draft.text, input.duration_ms)?;
    Ok((marker != *original).then_some(MarkersAction::Change { index, marker }))
}

/// `original` with `field` set from `text`, or why `text` will not do.
/// A time shown and left as it was keeps its milliseconds.
fn edited_marker(
    original: &Marker,
    field: Field,
    text: &str,
    duration_ms: u64,
) -> Result<Marker, String> {
    let mut marker = original.clone();
    match field {
        Field::Note => marker.note = text.to_owned(),
        Field::Start => {
            if text.trim() != time_field_text(original.start_ms, duration_ms) {
                let start_ms = time_in_audio(text, duration_ms)?;
                if original.end_ms.is_some_and(|end_ms| end_ms < start_ms) {
                    return Err("The start would come after the end".to_owned());
                }
                marker.start_ms = start_ms;
                marker.end_ms = original.end_ms.filter(|&end_ms| end_ms > start_ms);
            }
        }
        Field::End => {
            let shown = original
                .end_ms
                .map(|end_ms| time_field_text(end_ms, duration_ms))
                .unwrap_or_default();
            if text.trim().is_empty() {
                marker.end_ms = None;
            } else if text.trim() != shown {
                let end_ms = time_in_audio(text, duration_ms)?;
                if end_ms < original.start_ms {
                    return Err("The end would come before the start".to_owned());
                }
                marker.end_ms = (end_ms > original.start_ms).then_some(end_ms);
            }
        }
        Field::KindName => {}
    }
    Ok(marker)
}

/// The time written in `text`, or why it is not one inside the audio.
fn time_in_audio(text: &str, duration_ms: u64) -> Result<u64, String> {
    let ms = ms_from_time_text(text)
        .ok_or_else(|| format!("“{}” is not a time: write it like 1:23.4", text.trim()))?;
    if duration_ms > 0 && ms > duration_ms {
        return Err(format!(
            "{} is after the end of the audio ({})",
            time_field_text(ms, duration_ms),
            time_field_text(duration_ms, duration_ms)
        ));
    }
    Ok(ms)
}

/// Milliseconds from "83", "83.4", "1:23.4" or "1:02:03.45" (seconds to
/// the millisecond); `None` for anything else.
fn ms_from_time_text(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    let (seconds, larger) = parts.split_last()?;
    // Hours then minutes, or minutes alone: whatever comes before the seconds.
    let mut minutes: u64 = 0;
    for (i, part) in larger.iter().enumerate() {
        let value = digits(part)?;
        if i > 0 && value >= 60 {
            return None;
        }
        minutes = minutes.checked_mul(60)?.checked_add(value)?;
    }
    let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
    let whole = digits(whole)?;
    if !larger.is_empty() && whole >= 60 {
        return None;
    }
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let fraction_ms = format!("{fraction:0<3}").parse::<u64>().ok()?;
    let secs = minutes.checked_mul(60)?.checked_add(whole)?;
    secs.checked_mul(1000)?.checked_add(fraction_ms)
}

/// A run of ASCII digits as a number.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// How a start or end field shows `ms`: "1:23.4" (tenths, cut, not
/// rounded, so the shown time never passes the real one).
fn time_field_text(ms: u64, duration_ms: u64) -> String {
    format!(
        "{}.{}",
        clock_label(ms, duration_ms >= HOUR_MS),
        ms % 1000 / 100
    )
}

/// A row's time: "1:23", or "1:23–1:31" for a range.
fn span_label(marker: &Marker, duration_ms: u64) -> String {
    let with_hours = duration_ms >= HOUR_MS;
    let start = clock_label(marker.start_ms, with_hours);
    match marker.end_ms {
        Some(end_ms) if end_ms > marker.start_ms => {
            format!("{start}–{}", clock_label(end_ms, with_hours))
        }
        _ => start,
    }
}

/// "12 markers", or "3 of 12 markers" while filtered.
fn count_label(rows: &Rows, review: &ReviewState) -> String {
    let total = review.markers.len();
    let noun = if total == 1 { "marker" } else { "markers" };
    match rows {
        Rows::All(_) => format!("{total} {noun}"),
        Rows::Only(shown) => format!("{} of {total} {noun}", shown.len()),
    }
}

/// The index of `marker` in the review: `index` if it is still there,
/// else wherever it now is.
fn locate(review: &ReviewState, index: usize, marker: &Marker) -> Option<usize> {
    if review.markers.get(index) == Some(marker) {
        return Some(index);
    }
    review.markers.iter().position(|m| m == marker)
}

/// `text` trimmed, if no other kind than `except` has that name (case
/// aside) and it is not empty; else why not.
fn checked_kind_name(
    kinds: &[MarkerKind],
    text: &str,
    except: Option<usize>,
) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() {
        return Err("A kind needs a name".to_owned());
    }
    let taken = kinds
        .iter()
        .enumerate()
        .find(|(i, k)| Some(*i) != except && k.name.eq_ignore_ascii_case(name));
    match taken {
        Some((_, kind)) => Err(format!("There is already a kind called {}", kind.name)),
        None => Ok(name.to_owned()),
    }
}

/// A colour for a new kind: of 24 hues, the one farthest from every
/// colour the kinds have.
fn fresh_colour(kinds: &[MarkerKind]) -> [u8; 3] {
    let distance = |a: [u8; 3], b: [u8; 3]| -> u32 {
        a.iter()
            .zip(b)
            .map(|(&x, y)| u32::from(x.abs_diff(y)).pow(2))
            .sum()
    };
    (0..24)
        .map(|step| {
            let hsva = egui::ecolor::Hsva::new(step as f32 / 24.0, 0.65, 0.85, 1.0);
            let [r, g, b, _] = hsva.to_srgba_unmultiplied();
            [r, g, b]
        })
        .max_by_key(|&candidate| {
            kinds
                .iter()
                .map(|k| distance(k.color, candidate))
                .min()
                .unwrap_or(u32::MAX)
        })
        .unwrap_or(UNKNOWN_KIND_COLOR)
}

/// Whether the playhead is in `marker` (or in the second after a point).
fn is_under_playhead(marker: &Marker, pos_ms: u64) -> bool {
    let end_ms = marker
        .end_or_start_ms()
        .max(marker.start_ms.saturating_add(POINT_SPAN_MS));
    (marker.start_ms..=end_ms).contains(&pos_ms)
}

/// The height of a row: two lines of fields and its padding.
fn row_height(ui: &egui::Ui) -> f32 {
    let spacing = ui.spacing();
    let line = spacing
        .interact_size
        .y
        .max(ui.text_style_height(&egui::TextStyle::Body) + 4.0);
    2.0 * line + spacing.item_spacing.y + 2.0 * ROW_PADDING
}

/// The scroll offset that shows row `row` (centred), or `None` when it
/// already shows in `viewport`.
fn offset_to_show(
    row: usize,
    stride: f32,
    row_height: f32,
    viewport: Option<Viewport>,
) -> Option<f32> {
    let top = row as f32 * stride;
    match viewport {
        Some(v) if top >= v.offset && top + row_height <= v.offset + v.height => None,
        Some(v) => Some((top - (v.height - row_height) / 2.0).max(0.0)),
        None => Some(top),
    }
}

/// Stripes every other row; marks the rows under the playhead.
fn paint_row_background(ui: &egui::Ui, rect: Rect, row: usize, current: bool) {
    let visuals = ui.visuals();
    let fill = if current {
        visuals.selection.bg_fill.gamma_multiply(0.35)
    } else if row % 2 == 1 {
        visuals.faint_bg_color
    } else {
        return;
    };
    ui.painter().rect_filled(rect, 2.0, fill);
}

/// A small square in `color`.
fn swatch_ui(ui: &mut egui::Ui, color: [u8; 3]) {
    let (rect, _) = ui.allocate_exact_size(vec2(SWATCH_SIZE, SWATCH_SIZE), Sense::hover());
    ui.painter().rect_filled(rect, 2.0, color32(color));
}

fn color32([r, g, b]: [u8; 3]) -> Color32 {
    Color32::from_rgb(r, g, b)
}

/// A button filled with `color`, named `label` for screen readers, its
/// value the colour as "#rrggbb".
fn colour_well_ui(ui: &mut egui::Ui, color: [u8; 3], label: &str) -> egui::Response {
    let size = vec2(
        ui.spacing().interact_size.y * 1.6,
        ui.spacing().interact_size.y,
    );
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    response.widget_info(|| {
        let mut info = WidgetInfo::labeled(Role::ColorWell, ui.is_enabled(), label);
        let [r, g, b] = color;
        info.current_text_value = Some(format!("#{r:02x}{g:02x}{b:02x}"));
        info
    });
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact(&response);
        ui.painter().rect(
            rect.shrink(1.0),
            visuals.corner_radius,
            color32(color),
            visuals.bg_stroke,
            StrokeKind::Inside,
        );
        if response.has_focus() {
            ui.painter().rect_stroke(
                rect,
                3.0,
                ui.visuals().selection.stroke,
                StrokeKind::Outside,
            );
        }
    }
    response
}

/// The colours offered at a click, then red, green and blue to set any.
/// (egui's own picker shows a glyph the window's fonts do not have.)
fn colour_picker_ui(ui: &mut egui::Ui, color: &mut [u8; 3], kind: &str) {
    ui.horizontal_wrapped(|ui| {
        ui.set_max_width(8.0 * (ui.spacing().interact_size.y * 1.6 + ui.spacing().item_spacing.x));
        for preset in PRESET_COLOURS {
            let [r, g, b] = preset;
            let well = colour_well_ui(ui, preset, &format!("#{r:02x}{g:02x}{b:02x} for {kind}"));
            if well.clicked() {
                *color = preset;
            }
        }
    });
    for (channel, name) in color.iter_mut().zip(["Red", "Green", "Blue"]) {
        ui.horizontal(|ui| {
            ui.label(name);
            ui.add(egui::DragValue::new(channel).range(0..=255).speed(0.5))
                .accessible_name(format!("{name} of {kind}"));
        });
    }
}

/// A square button with a cross, named `label` for screen readers and its
/// tooltip (drawn, not a glyph, so it shows without an emoji font).
fn delete_button_ui(ui: &mut egui::Ui, label: &str) -> egui::Response {
    let size = ui.spacing().interact_size.y;
    let (rect, response) = ui.allocate_exact_size(vec2(size, size), Sense::click());
    response.widget_info(|| WidgetInfo::labeled(Role::Button, ui.is_enabled(), label));
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact(&response);
        let painter = ui.painter();
        painter.rect(
            rect,
            visuals.corner_radius,
            visuals.weak_bg_fill,
            visuals.bg_stroke,
            StrokeKind::Inside,
        );
        let cross = rect.shrink(size * 0.3);
        let stroke = Stroke::new(1.5, visuals.fg_stroke.color);
        painter.line_segment([cross.left_top(), cross.right_bottom()], stroke);
        painter.line_segment([cross.right_top(), cross.left_bottom()], stroke);
        if response.has_focus() {
            painter.rect_stroke(
                rect,
                3.0,
                ui.visuals().selection.stroke,
                StrokeKind::Outside,
            );
        }
    }
    response.on_hover_text(label)
}

/// Why something was refused, in the error colour.
fn refusal_ui(ui: &mut egui::Ui, why: &str) {
    ui.colored_label(ui.visuals().error_fg_color, why);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_text_reads_seconds_minutes_and_hours() {
        let cases = [
            ("83", Some(83_000)),
            ("83.4", Some(83_400)),
            (" 1:23.4 ", Some(83_400)),
            ("1:23.456", Some(83_456)),
            ("90:00", Some(5_400_000)),
            ("1:02:03.05", Some(3_723_050)),
            ("1:60", None),
            ("1:61:00", None),
            ("1:23.4567", None),
            ("", None),
            ("1:", None),
            ("-3", None),
            ("1:2:3:4", None),
            ("a:bc", None),
            ("99999999999999999999", None),
        ];
        for (text, ms) in cases {
            assert_eq!(ms_from_time_text(text), ms, "{text:?}");
        }
    }

    #[test]
    fn a_shown_time_reads_back_to_its_tenth() {
        for ms in [0, 999, 83_456, 3_723_050] {
            let text = time_field_text(ms, 0);
            assert_eq!(ms_from_time_text(&text), Some(ms / 100 * 100), "{text}");
        }
        assert_eq!(time_field_text(83_456, 0), "1:23.4");
        assert_eq!(time_field_text(83_456, HOUR_MS), "0:01:23.4");
    }

    #[test]
    fn an_unchanged_time_keeps_its_milliseconds_and_a_bad_one_is_refused() {
        let marker = Marker {
            start_ms: 83_456,
            end_ms: Some(90_000),
            kind: "Cut".to_owned(),
            note: String::new(),
        };
        let same = edited_marker(&marker, Field::Start, "1:23.4", 0);
        assert_eq!(same, Ok(marker.clone()));
        assert!(edited_marker(&marker, Field::Start, "1:31", 0).is_err());
        assert!(edited_marker(&marker, Field::End, "1:20", 0).is_err());
        assert!(edited_marker(&marker, Field::End, "2:00", 100_000).is_err());
        let point = edited_marker(&marker, Field::End, "", 0).expect("a point");
        assert_eq!(point.end_ms, None);
    }

    #[test]
    fn a_new_kind_gets_a_colour_unlike_the_others() {
        let kinds = crate::review::markers::default_kinds();
        let colour = fresh_colour(&kinds);
        assert!(kinds.iter().all(|k| k.color != colour));
        let mut more = kinds.clone();
        more.push(MarkerKind {
            name: "Extra".to_owned(),
            color: colour,
        });
        assert_ne!(fresh_colour(&more), colour);
    }
}
