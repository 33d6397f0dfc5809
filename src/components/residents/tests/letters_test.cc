// Letters with voting codes: the PDF is read back with poppler-utils (pdfinfo, pdftotext,
// pdffonts, pdftoppm): one A4 page per letter, in order, each with its own name, code and link,
// and a QR code where it belongs.

#include <cairo.h>
#include <gtest/gtest.h>
#include <qrencode.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "ting/components/letters.h"

namespace ting::components {
namespace {

const std::vector<std::string> kSwedishParagraphs = {
    "Du kan rösta i Medborgarbudget 2026 från den 1 mars till den 31 mars. Gå till länken eller "
    "skanna QR-koden med mobilens kamera och skriv in koden ovan.",
    "Välj de förslag du tycker bäst om, så långt budgeten räcker. Du kan ändra din röst så "
    "länge omröstningen pågår; den sista rösten gäller.",
    "Koden är personlig. Ge den inte till någon annan. Har du frågor? Ring kommunens "
    "kontaktcenter på 0771-00 00 00.",
};

std::vector<Letter> ThreeLetters() {
  Letter swedish;
  swedish.name = "Åsa Öberg";
  swedish.address = "Storgatan 5 B, 123 45 Småstad";
  swedish.district = "Söder";
  swedish.code = "K7QF-M2XP-9RTA";
  swedish.url = "https://ting.example.se/rosta/K7QF-M2XP-9RTA";
  swedish.heading = "Din röstkod: Medborgarbudget 2026";
  swedish.code_label = "Din kod";
  swedish.paragraphs = kSwedishParagraphs;
  swedish.footer = "Småstads kommun · Medborgarbudget 2026 · ting.example.se";

  Letter english;
  english.name = "John Smith";
  english.address = "Kvarngatan 12, 123 46 Småstad";
  english.district = "Norr";
  english.code = "B3WN-8HJD-T4KC";
  english.url = "https://ting.example.se/rosta/B3WN-8HJD-T4KC";
  english.heading = "Your voting code: Medborgarbudget 2026";
  english.code_label = "Your code";
  english.paragraphs = {
      "You can vote in Medborgarbudget 2026 from 1 March to 31 March. Follow the link or scan "
      "the QR code with your phone's camera and enter the code above.",
      "Choose the proposals you like best, as far as the budget goes. You may change your vote "
      "while voting is open; your last vote counts.",
  };
  english.footer = "Småstad Municipality";

  Letter arabic;  // anonymous: handed out at a library desk
  arabic.code = "Z9LM-4VQS-2PXE";
  arabic.url = "https://ting.example.se/rosta/Z9LM-4VQS-2PXE";
  arabic.right_to_left = true;
  arabic.heading = "رمز التصويت الخاص بك: ميزانية المواطنين 2026";
  arabic.code_label = "رمزك";
  arabic.paragraphs = {
      "يمكنك التصويت من 1 مارس إلى 31 مارس. اتبع الرابط أو امسح رمز QR بكاميرا هاتفك وأدخل "
      "الرمز أعلاه.",
      "اختر المقترحات التي تعجبك أكثر، في حدود الميزانية. يمكنك تغيير صوتك ما دام التصويت "
      "مفتوحًا؛ آخر صوت هو الذي يُحتسب.",
  };
  arabic.footer = "بلدية سمووستاد";
  return {swedish, english, arabic};
}

// The standard output of a shell command; exit is its exit status.
std::string Shell(const std::string& command, int* exit = nullptr) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    if (exit) *exit = -1;
    return out;
  }
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  int status = pclose(pipe);
  if (exit) *exit = status;
  return out;
}

bool HavePoppler() {
  int exit = 0;
  Shell("command -v pdfinfo pdftotext pdffonts pdftoppm >/dev/null 2>&1", &exit);
  return exit == 0;
}

// The three letters as a PDF in a temporary directory, made once for all the tests.
class LettersPdfTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char dir_template[] = "/tmp/letters_test_XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = new std::filesystem::path(dir_template);
    auto pdf = LettersPdf(ThreeLetters());
    ASSERT_TRUE(pdf.ok()) << pdf.error().message;
    pdf_path_ = new std::string((*dir_ / "letters.pdf").string());
    std::ofstream(*pdf_path_, std::ios::binary) << *pdf;
  }
  static void TearDownTestSuite() {
    if (dir_) std::filesystem::remove_all(*dir_);
    delete dir_;
    delete pdf_path_;
    dir_ = nullptr;
    pdf_path_ = nullptr;
  }
  void SetUp() override {
    if (!HavePoppler()) GTEST_SKIP() << "poppler-utils are not installed";
    ASSERT_NE(pdf_path_, nullptr);
  }

  static std::string PageText(int page) {
    std::string p = std::to_string(page);
    return Shell("pdftotext -enc UTF-8 -layout -f " + p + " -l " + p + " '" + *pdf_path_ + "' -");
  }

  static std::filesystem::path* dir_;
  static std::string* pdf_path_;
};

std::filesystem::path* LettersPdfTest::dir_ = nullptr;
std::string* LettersPdfTest::pdf_path_ = nullptr;

TEST_F(LettersPdfTest, OneA4PagePerLetter) {
  int exit = 0;
  std::string info = Shell("pdfinfo '" + *pdf_path_ + "'", &exit);
  ASSERT_EQ(exit, 0) << info;
  EXPECT_NE(info.find("\nPages:           3\n"), std::string::npos) << info;
  size_t at = info.find("Page size:");
  ASSERT_NE(at, std::string::npos) << info;
  double width = 0, height = 0;
  ASSERT_EQ(std::sscanf(info.c_str() + at, "Page size: %lf x %lf pts", &width, &height), 2) << info;
  EXPECT_NEAR(width, 595, 1);
  EXPECT_NEAR(height, 842, 1);
}

TEST_F(LettersPdfTest, EachPageHasItsOwnNameCodeAndLink) {
  std::string first = PageText(1);
  EXPECT_NE(first.find("Åsa Öberg"), std::string::npos) << first;
  EXPECT_NE(first.find("Storgatan 5 B, 123 45 Småstad"), std::string::npos) << first;
  EXPECT_NE(first.find("Din röstkod: Medborgarbudget 2026"), std::string::npos) << first;
  EXPECT_NE(first.find("K7QF-M2XP-9RTA"), std::string::npos) << first;
  EXPECT_NE(first.find("https://ting.example.se/rosta/K7QF-M2XP-9RTA"), std::string::npos) << first;
  EXPECT_NE(first.find("Småstads kommun"), std::string::npos) << first;
  EXPECT_EQ(first.find("B3WN-8HJD-T4KC"), std::string::npos) << first;

  std::string second = PageText(2);
  EXPECT_NE(second.find("John Smith"), std::string::npos) << second;
  EXPECT_NE(second.find("B3WN-8HJD-T4KC"), std::string::npos) << second;
  EXPECT_NE(second.find("https://ting.example.se/rosta/B3WN-8HJD-T4KC"), std::string::npos);
  EXPECT_EQ(second.find("K7QF-M2XP-9RTA"), std::string::npos) << second;
  EXPECT_EQ(second.find("Åsa Öberg"), std::string::npos) << second;

  std::string third = PageText(3);  // anonymous, right to left
  EXPECT_NE(third.find("Z9LM-4VQS-2PXE"), std::string::npos) << third;
  EXPECT_NE(third.find("https://ting.example.se/rosta/Z9LM-4VQS-2PXE"), std::string::npos);
  EXPECT_EQ(third.find("John Smith"), std::string::npos) << third;
  EXPECT_EQ(third.find("B3WN-8HJD-T4KC"), std::string::npos) << third;
}

TEST_F(LettersPdfTest, TheCodeIsInAMonospaceFontAndTheFontsAreEmbedded) {
  std::string fonts = Shell("pdffonts '" + *pdf_path_ + "'");
  EXPECT_NE(fonts.find("DejaVuSansMono-Bold"), std::string::npos) << fonts;
  // Every font is embedded: the column "emb" reads "yes" on every font line.
  EXPECT_EQ(fonts.find(" no  "), std::string::npos) << fonts;
}

// Dark pixels of the PNG image at path in the rectangle [x0, x1) x [y0, y1) given as fractions
// of its width and height; -1 when it cannot be read.
long DarkPixels(const std::string& path, double x0, double y0, double x1, double y1) {
  cairo_surface_t* image = cairo_image_surface_create_from_png(path.c_str());
  if (cairo_surface_status(image) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(image);
    return -1;
  }
  cairo_surface_flush(image);
  const int width = cairo_image_surface_get_width(image);
  const int height = cairo_image_surface_get_height(image);
  const int stride = cairo_image_surface_get_stride(image);
  const cairo_format_t format = cairo_image_surface_get_format(image);
  const unsigned char* data = cairo_image_surface_get_data(image);
  long dark = 0;
  for (int y = static_cast<int>(y0 * height); y < static_cast<int>(y1 * height); ++y) {
    for (int x = static_cast<int>(x0 * width); x < static_cast<int>(x1 * width); ++x) {
      int luminance = 255;
      if (format == CAIRO_FORMAT_RGB24 || format == CAIRO_FORMAT_ARGB32) {
        uint32_t pixel;
        std::memcpy(&pixel, data + y * stride + x * 4, 4);
        luminance = (((pixel >> 16) & 0xff) + ((pixel >> 8) & 0xff) + (pixel & 0xff)) / 3;
      } else if (format == CAIRO_FORMAT_A8) {
        luminance = 255 - data[y * stride + x];
      }
      if (luminance < 128) ++dark;
    }
  }
  cairo_surface_destroy(image);
  return dark;
}

TEST_F(LettersPdfTest, PageOneRendersWithTheQrCodeAtTheTopRight) {
  const std::string png = (*dir_ / "page1").string();
  int exit = 0;
  std::string out = Shell("pdftoppm -r 50 -png -f 1 -l 1 -singlefile '" + *pdf_path_ + "' '" + png +
                            "' 2>&1",
                        &exit);
  ASSERT_EQ(exit, 0) << out;
  ASSERT_TRUE(std::filesystem::exists(png + ".png"));
  // A4 at 50 dpi is 413 x 585 pixels; the 34 mm symbol is 67 pixels square, about half dark.
  long top_right = DarkPixels(png + ".png", 0.70, 0.0, 1.0, 0.22);
  EXPECT_GT(top_right, 1000);
  // Nothing dark in the top left corner above the address block (no stray drawing).
  EXPECT_EQ(DarkPixels(png + ".png", 0.0, 0.0, 0.5, 0.15), 0);
}

TEST(LettersQr, TheLinkMakesAQrCodeOfSomeSize) {
  const std::string url = ThreeLetters()[0].url;
  QRcode* qr = QRcode_encodeString(url.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  ASSERT_NE(qr, nullptr);
  EXPECT_GT(qr->width, 20);
  QRcode_free(qr);
}

TEST(LettersPdf, NoLettersIsAnError) {
  auto pdf = LettersPdf({});
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.error().code, ErrorCode::kInvalidArgument);
}

TEST(LettersPdf, ALetterWithoutALinkOrWithBadUtf8IsAnError) {
  std::vector<Letter> letters = ThreeLetters();
  letters[1].url.clear();
  auto pdf = LettersPdf(letters);
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.error().code, ErrorCode::kInvalidArgument);

  letters = ThreeLetters();
  letters[2].paragraphs[0] += "\xC3";  // a cut-off 'å'
  pdf = LettersPdf(letters);
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.error().code, ErrorCode::kInvalidArgument);
}

TEST(LettersPdf, ALinkTooLongForAQrCodeIsAnInternalError) {
  std::vector<Letter> letters = ThreeLetters();
  letters[0].url = "https://ting.example.se/?" + std::string(4000, 'x');
  auto pdf = LettersPdf(letters);
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.error().code, ErrorCode::kInternal);
}

TEST(LettersPdf, LongParagraphsAreSetSmallerOrRefused) {
  std::vector<Letter> letters = ThreeLetters();
  // Twice the usual text still fits, in smaller type.
  for (const std::string& p : kSwedishParagraphs) letters[0].paragraphs.push_back(p);
  auto pdf = LettersPdf(letters);
  ASSERT_TRUE(pdf.ok()) << pdf.error().message;

  // Forty paragraphs do not.
  for (int i = 0; i < 40; ++i) letters[0].paragraphs.push_back(kSwedishParagraphs[0]);
  pdf = LettersPdf(letters);
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.error().code, ErrorCode::kInvalidArgument);
}

TEST(LettersPdf, ThreadsMayPrintAtOnce) {
  std::vector<Letter> letters = ThreeLetters();
  std::string pdfs[4];
  bool ok[4] = {};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto pdf = LettersPdf(letters);
      ok[i] = pdf.ok();
      if (ok[i]) pdfs[i] = std::move(*pdf);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(ok[i]);
    EXPECT_EQ(pdfs[i].rfind("%PDF-", 0), 0u);
    EXPECT_NE(pdfs[i].find("%%EOF"), std::string::npos);
  }
}

}  // namespace
}  // namespace ting::components
