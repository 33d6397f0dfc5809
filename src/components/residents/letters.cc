#include "ting/components/letters.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>

namespace ting::components {

namespace {

// Cairo's PDF user space is in points.
constexpr double kMm = 72.0 / 25.4;
constexpr double kPageWidth = 210 * kMm;
constexpr double kPageHeight = 297 * kMm;
constexpr double kMargin = 20 * kMm;
constexpr double kTextWidth = kPageWidth - 2 * kMargin;

// The address shows through a window envelope's window (DIN 5008 form B: 20 mm from the left
// edge, 45 mm from the top, 85 x 45 mm; 5 mm of padding inside it).
constexpr double kAddressX = 25 * kMm;
constexpr double kAddressY = 50 * kMm;
constexpr double kAddressWidth = 80 * kMm;

// The QR symbol (its dark part) at the top right; its 4-module quiet zone lies around it, so
// with it the code is about 40 mm wide.
constexpr double kQrSize = 34 * kMm;
constexpr double kQrTop = 22 * kMm;
constexpr int kQrQuietModules = 4;
constexpr double kUrlMaxWidth = 80 * kMm;  // from 110 mm: clear of the envelope window

constexpr double kBodyTop = 95 * kMm;  // where the heading starts, at the earliest
constexpr double kCodeBoxPadding = 5 * kMm;
constexpr double kParagraphGap = 3.5 * kMm;
constexpr double kFooterGap = 3 * kMm;  // between the rule and the footer text

const char kTextFont[] = "Sans";
const char kAddressFont[] = "Sans 11";
const char kHeadingFont[] = "Sans Bold 16";
const char kLabelFont[] = "Sans 10";
const char kCodeFont[] = "DejaVu Sans Mono Bold 28";
const char kUrlFont[] = "Sans 8";
const char kFooterFont[] = "Sans 8";
// Paragraph type sizes, tried largest first until the paragraphs fit the page.
constexpr double kParagraphSizes[] = {11, 10.5, 10, 9.5, 9, 8.5, 8};

struct SurfaceFree {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoFree {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
struct GObjectFree {
  void operator()(void* object) const { g_object_unref(object); }
};
struct FontDescriptionFree {
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
struct QrFree {
  void operator()(QRcode* qr) const { QRcode_free(qr); }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectFree>;
using LayoutPtr = GObjectPtr<PangoLayout>;

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  } catch (const std::bad_alloc&) {
    return CAIRO_STATUS_NO_MEMORY;
  }
}

Error CairoError(const char* what, cairo_status_t status) {
  return Error::Internal(std::string("letters: ") + what + ": " + cairo_status_to_string(status));
}

double Points(int pango_units) { return static_cast<double>(pango_units) / PANGO_SCALE; }

// Draws the letters on one Cairo context, a page each. Holds the Pango contexts for the two
// paragraph directions, both on the caller's font map: one per call, so that calls share no
// Pango state (Pango's default font map lives as long as its thread).
class Printer {
 public:
  Printer(cairo_t* cr, PangoFontMap* font_map)
      : cr_(cr), ltr_(NewContext(cr, font_map, PANGO_DIRECTION_LTR)),
        rtl_(NewContext(cr, font_map, PANGO_DIRECTION_RTL)) {}

  // Draws letter on the current page and ends the page.
  Status Page(const Letter& letter);

 private:
  static GObjectPtr<PangoContext> NewContext(cairo_t* cr, PangoFontMap* font_map,
                                             PangoDirection direction);

  // A layout of text in font, wrapped to width (< 0: not wrapped), set in the letter's
  // direction (rtl) or left to right.
  LayoutPtr Layout(const std::string& text, const char* font, double width, bool rtl,
                   PangoAlignment alignment) const;
  LayoutPtr Layout(const std::string& text, const PangoFontDescription* font, double width,
                   bool rtl, PangoAlignment alignment) const;
  void Show(PangoLayout* layout, double x, double y) const;

  // Draws the QR code of url, its dark part with its top right corner at (right, top), and the
  // url under it. Returns where the url ends.
  Result<double> QrCode(const std::string& url, double right, double top) const;

  cairo_t* cr_;
  GObjectPtr<PangoContext> ltr_, rtl_;
};

GObjectPtr<PangoContext> Printer::NewContext(cairo_t* cr, PangoFontMap* font_map,
                                             PangoDirection direction) {
  GObjectPtr<PangoContext> context(pango_font_map_create_context(font_map));
  pango_cairo_update_context(cr, context.get());
  // Point sizes in points: Pango's default of 96 dpi would print 11 pt text at 14.7 pt.
  pango_cairo_context_set_resolution(context.get(), 72);
  // Vector output: no hinting, no glyph positions rounded to whole device units.
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options(context.get(), options);
  cairo_font_options_destroy(options);
  pango_context_set_round_glyph_positions(context.get(), FALSE);
  pango_context_set_base_dir(context.get(), direction);
  return context;
}

LayoutPtr Printer::Layout(const std::string& text, const char* font, double width, bool rtl,
                          PangoAlignment alignment) const {
  std::unique_ptr<PangoFontDescription, FontDescriptionFree> description(
      pango_font_description_from_string(font));
  return Layout(text, description.get(), width, rtl, alignment);
}

LayoutPtr Printer::Layout(const std::string& text, const PangoFontDescription* font, double width,
                          bool rtl, PangoAlignment alignment) const {
  LayoutPtr layout(pango_layout_new(rtl ? rtl_.get() : ltr_.get()));
  // The direction is the letter's, not guessed from each paragraph's first letter (a Swedish
  // paragraph may start with an Arabic name); and alignment means what it says.
  pango_layout_set_auto_dir(layout.get(), FALSE);
  pango_layout_set_font_description(layout.get(), font);
  if (width >= 0) {
    pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  }
  pango_layout_set_alignment(layout.get(), alignment);
  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  return layout;
}

void Printer::Show(PangoLayout* layout, double x, double y) const {
  cairo_move_to(cr_, x, y);
  pango_cairo_show_layout(cr_, layout);
}

double Width(PangoLayout* layout) {
  int width, height;
  pango_layout_get_size(layout, &width, &height);
  return Points(width);
}

double Height(PangoLayout* layout) {
  int width, height;
  pango_layout_get_size(layout, &width, &height);
  return Points(height);
}

Result<double> Printer::QrCode(const std::string& url, double right, double top) const {
  errno = 0;
  std::unique_ptr<QRcode, QrFree> qr(
      QRcode_encodeString(url.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, /*casesensitive=*/1));
  if (!qr) {
    return Error::Internal(std::string("letters: qrencode failed for a url of ") +
                           std::to_string(url.size()) + " bytes: " + std::strerror(errno));
  }
  const int modules = qr->width;
  const double module = kQrSize / modules;
  const double left = right - kQrSize;
  // One path of horizontal runs, filled once: no seams between neighbouring modules.
  for (int row = 0; row < modules; ++row) {
    const unsigned char* line = qr->data + static_cast<size_t>(row) * modules;
    for (int column = 0; column < modules;) {
      if (!(line[column] & 1)) {
        ++column;
        continue;
      }
      int end = column;
      while (end < modules && (line[end] & 1)) ++end;
      cairo_rectangle(cr_, left + column * module, top + row * module, (end - column) * module,
                      module);
      column = end;
    }
  }
  cairo_set_source_rgb(cr_, 0, 0, 0);
  cairo_fill(cr_);

  // The url under the code, after its quiet zone: on one line when it fits 80 mm (people type
  // it), centred under the code unless that would cross the right margin.
  // A long link (a port, a long host) is set smaller before it is broken over lines.
  LayoutPtr layout = Layout(url, kUrlFont, -1, false, PANGO_ALIGN_LEFT);
  for (const char* smaller : {"Sans 7", "Sans 6"})
    if (Width(layout.get()) > kUrlMaxWidth) layout = Layout(url, smaller, -1, false, PANGO_ALIGN_LEFT);
  if (Width(layout.get()) > kUrlMaxWidth) {
    layout = Layout(url, kUrlFont, kUrlMaxWidth, false, PANGO_ALIGN_RIGHT);
  }
  const double width = Width(layout.get());
  const double x = std::min(left + kQrSize / 2 - width / 2, right - width);
  const double y = top + kQrSize + kQrQuietModules * module;
  Show(layout.get(), x, y);
  return y + Height(layout.get());
}

Status Printer::Page(const Letter& letter) {
  const bool rtl = letter.right_to_left;
  const PangoAlignment start = rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
  const double right = kPageWidth - kMargin;
  cairo_set_source_rgb(cr_, 0, 0, 0);

  // The address block, for the envelope window: left to right and on the left whatever the
  // letter's direction (the window is there); an Arabic name is still set right to left.
  double address_end = kAddressY;
  std::string address;
  for (const std::string* line : {&letter.name, &letter.address, &letter.district}) {
    if (line->empty()) continue;
    if (!address.empty()) address += '\n';
    address += *line;
  }
  if (!address.empty()) {
    LayoutPtr layout = Layout(address, kAddressFont, kAddressWidth, false, PANGO_ALIGN_LEFT);
    Show(layout.get(), kAddressX, kAddressY);
    address_end += Height(layout.get());
  }

  TING_ASSIGN_OR_RETURN(double url_end, QrCode(letter.url, right, kQrTop));

  double y = std::max({kBodyTop, address_end + 12 * kMm, url_end + 12 * kMm});
  if (!letter.heading.empty()) {
    LayoutPtr heading = Layout(letter.heading, kHeadingFont, kTextWidth, rtl, start);
    Show(heading.get(), kMargin, y);
    y += Height(heading.get()) + 8 * kMm;
  }

  // The code in a box across the text width, its label above it inside the box.
  {
    const double inner = kTextWidth - 2 * kCodeBoxPadding;
    LayoutPtr label;
    if (!letter.code_label.empty()) {
      label = Layout(letter.code_label, kLabelFont, inner, rtl, PANGO_ALIGN_CENTER);
    }
    LayoutPtr code = Layout(letter.code, kCodeFont, inner, false, PANGO_ALIGN_CENTER);
    const double label_height = label ? Height(label.get()) + 2 * kMm : 0;
    const double box_height = 2 * kCodeBoxPadding + label_height + Height(code.get());
    cairo_set_line_width(cr_, 1.5);
    cairo_rectangle(cr_, kMargin, y, kTextWidth, box_height);
    cairo_stroke(cr_);
    if (label) {
      cairo_set_source_rgb(cr_, 0.25, 0.25, 0.25);
      Show(label.get(), kMargin + kCodeBoxPadding, y + kCodeBoxPadding);
      cairo_set_source_rgb(cr_, 0, 0, 0);
    }
    Show(code.get(), kMargin + kCodeBoxPadding, y + kCodeBoxPadding + label_height);
    y += box_height + 8 * kMm;
  }

  // The footer at the foot of the page, under a thin rule.
  double body_end = kPageHeight - kMargin;
  if (!letter.footer.empty()) {
    LayoutPtr footer = Layout(letter.footer, kFooterFont, kTextWidth, rtl, PANGO_ALIGN_CENTER);
    const double footer_top = kPageHeight - kMargin - Height(footer.get());
    const double rule = footer_top - kFooterGap;
    cairo_set_source_rgb(cr_, 0.4, 0.4, 0.4);
    cairo_set_line_width(cr_, 0.5);
    cairo_move_to(cr_, kMargin, rule);
    cairo_line_to(cr_, right, rule);
    cairo_stroke(cr_);
    Show(footer.get(), kMargin, footer_top);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    body_end = rule - 6 * kMm;
  }

  // The paragraphs, in the largest type that fits above the footer.
  std::vector<LayoutPtr> paragraphs;
  bool fits = false;
  for (double size : kParagraphSizes) {
    std::unique_ptr<PangoFontDescription, FontDescriptionFree> font(
        pango_font_description_from_string(kTextFont));
    pango_font_description_set_size(font.get(), static_cast<int>(size * PANGO_SCALE));
    paragraphs.clear();
    double height = 0;
    for (const std::string& text : letter.paragraphs) {
      paragraphs.push_back(Layout(text, font.get(), kTextWidth, rtl, start));
      height += Height(paragraphs.back().get()) + kParagraphGap;
    }
    if (y + height - kParagraphGap <= body_end) {
      fits = true;
      break;
    }
  }
  if (!fits) {
    return Error::Invalid("letters: the paragraphs for code " + letter.code +
                          " do not fit on one page");
  }
  for (const LayoutPtr& paragraph : paragraphs) {
    Show(paragraph.get(), kMargin, y);
    y += Height(paragraph.get()) + kParagraphGap;
  }

  cairo_show_page(cr_);
  if (cairo_status_t status = cairo_status(cr_); status != CAIRO_STATUS_SUCCESS) {
    return CairoError("drawing a page", status);
  }
  return Status::Ok();
}

bool IsUtf8(const std::string& text) {
  return g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr);
}

Status Check(const Letter& letter, size_t index) {
  const std::string which = "letters: letter " + std::to_string(index + 1);
  if (letter.url.empty()) return Error::Invalid(which + " has no url");
  bool utf8 = IsUtf8(letter.name) && IsUtf8(letter.address) && IsUtf8(letter.district) &&
              IsUtf8(letter.code) && IsUtf8(letter.url) && IsUtf8(letter.heading) &&
              IsUtf8(letter.code_label) && IsUtf8(letter.footer);
  for (const std::string& paragraph : letter.paragraphs) utf8 = utf8 && IsUtf8(paragraph);
  if (!utf8) return Error::Invalid(which + " has a text that is not UTF-8");
  return Status::Ok();
}

}  // namespace

Result<std::string> LettersPdf(const std::vector<Letter>& letters) {
  if (letters.empty()) return Error::Invalid("no letters to print");
  for (size_t i = 0; i < letters.size(); ++i) TING_RETURN_IF_ERROR(Check(letters[i], i));

  std::string pdf;
  std::unique_ptr<cairo_surface_t, SurfaceFree> surface(
      cairo_pdf_surface_create_for_stream(AppendToString, &pdf, kPageWidth, kPageHeight));
  if (cairo_status_t status = cairo_surface_status(surface.get()); status != CAIRO_STATUS_SUCCESS) {
    return CairoError("creating the PDF surface", status);
  }
  {
    std::unique_ptr<cairo_t, CairoFree> cr(cairo_create(surface.get()));
    if (cairo_status_t status = cairo_status(cr.get()); status != CAIRO_STATUS_SUCCESS) {
      return CairoError("creating the drawing context", status);
    }
    GObjectPtr<PangoFontMap> font_map(pango_cairo_font_map_new());
    Printer printer(cr.get(), font_map.get());
    for (const Letter& letter : letters) TING_RETURN_IF_ERROR(printer.Page(letter));
  }
  cairo_surface_finish(surface.get());
  if (cairo_status_t status = cairo_surface_status(surface.get()); status != CAIRO_STATUS_SUCCESS) {
    return CairoError("writing the PDF", status);
  }
  return pdf;
}

}  // namespace ting::components
