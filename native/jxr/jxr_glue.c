/*
 * czmodel: a minimal C entry point into jxrlib's JPEG XR decoder, compiled to WebAssembly by
 * scripts/build-jxr-wasm.sh. JPEG XR bytes in memory -> pixels in memory, in the pixel format
 * stored in the bitstream (no format conversion), plus width, height and a format code.
 *
 * Output formats (code: layout):
 *   0: 8bppGray      1 x uint8
 *   1: 16bppGray     1 x uint16 (little-endian)
 *   2: 32bppGrayFloat 1 x float32
 *   3: 24bppBGR      uint8 B,G,R (24bppRGB streams are swapped to B,G,R here)
 *   4: 48bppRGB      uint16 B,G,R (jxrlib emits R,G,B; swapped here, as libCZI does)
 * The codes equal CZI's pixel type codes (Gray8, Gray16, Gray32Float, Bgr24, Bgr48).
 *
 * Licence of this file: Apache-2.0 (czmodel). jxrlib itself is BSD-2-Clause (LICENSE.jxrlib).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "JXRGlue.h"

/* Results beyond jxrlib's own (negative) ERR codes. */
#define JXR_GLUE_UNSUPPORTED_FORMAT (-1000)
#define JXR_GLUE_NO_MEMORY (-1001)
#define JXR_GLUE_TOO_LARGE (-1002)

/* Filled by jxr_decode; read by the caller after the call. */
static struct {
  uint32_t width;
  uint32_t height;
  int32_t format;
  uint32_t bytes_per_pixel;
  uint8_t *pixels;
  /* Last byte of the stream's pixel-format GUID (identifies it in error messages). */
  uint32_t guid_tail;
} result;

uint32_t *jxr_result(void) { return (uint32_t *)&result; }

void *jxr_alloc(uint32_t size) { return malloc(size ? size : 1); }
void jxr_free(void *p) { free(p); }

static int32_t format_of(const PKPixelFormatGUID *g, uint32_t *bpp, int *swap_rb) {
  *swap_rb = 0;
  if (IsEqualGUID(g, &GUID_PKPixelFormat8bppGray)) { *bpp = 1; return 0; }
  if (IsEqualGUID(g, &GUID_PKPixelFormat16bppGray)) { *bpp = 2; return 1; }
  if (IsEqualGUID(g, &GUID_PKPixelFormat32bppGrayFloat)) { *bpp = 4; return 2; }
  if (IsEqualGUID(g, &GUID_PKPixelFormat24bppBGR)) { *bpp = 3; return 3; }
  if (IsEqualGUID(g, &GUID_PKPixelFormat24bppRGB)) { *bpp = 3; *swap_rb = 1; return 3; }
  if (IsEqualGUID(g, &GUID_PKPixelFormat48bppRGB)) { *bpp = 6; *swap_rb = 2; return 4; }
  return -1;
}

/*
 * Decode `size` bytes at `data`, refusing images whose pixels would take more than
 * `max_bytes` (checked from the header, before any pixel memory is taken). Returns 0 on success (result filled; the caller frees
 * result.pixels with jxr_free), or a negative code: jxrlib's ERR value (WMP_err…), or one of
 * JXR_GLUE_*.
 */
int32_t jxr_decode(const uint8_t *data, uint32_t size, uint32_t max_bytes) {
  ERR err = WMP_errSuccess;
  struct WMPStream *stream = NULL;
  PKImageDecode *dec = NULL;
  uint8_t *pixels = NULL;
  I32 w = 0, h = 0;
  int swap_rb = 0;

  memset(&result, 0, sizeof(result));
  Call(CreateWS_Memory(&stream, (void *)data, size));
  Call(PKImageDecode_Create_WMP(&dec));
  Call(dec->Initialize(dec, stream));

  result.guid_tail = dec->guidPixFormat.Data4[7];
  result.format = format_of(&dec->guidPixFormat, &result.bytes_per_pixel, &swap_rb);
  if (result.format < 0) {
    err = JXR_GLUE_UNSUPPORTED_FORMAT;
    goto Cleanup;
  }
  Call(dec->GetSize(dec, &w, &h));
  FailIf(w <= 0 || h <= 0, WMP_errFail);
  result.width = (uint32_t)w;
  result.height = (uint32_t)h;

  /* As JxrDecApp: full image, full resolution, no alpha, no post-processing. */
  dec->WMP.wmiI.cThumbnailWidth = dec->WMP.wmiI.cWidth;
  dec->WMP.wmiI.cThumbnailHeight = dec->WMP.wmiI.cHeight;
  dec->WMP.wmiI.bSkipFlexbits = FALSE;
  dec->WMP.wmiI.cROILeftX = 0;
  dec->WMP.wmiI.cROITopY = 0;
  dec->WMP.wmiI.cROIWidth = dec->WMP.wmiI.cThumbnailWidth;
  dec->WMP.wmiI.cROIHeight = dec->WMP.wmiI.cThumbnailHeight;
  dec->WMP.wmiI.oOrientation = O_NONE;
  dec->WMP.wmiI.cPostProcStrength = 0;
  dec->WMP.wmiSCP.uAlphaMode = 0;

  {
    uint64_t stride = (uint64_t)result.width * result.bytes_per_pixel;
    uint64_t total = stride * result.height;
    PKRect rect = {0, 0, w, h};
    if (total > 0x7fffffffu || total > max_bytes) {
      err = JXR_GLUE_TOO_LARGE;
      goto Cleanup;
    }
    pixels = (uint8_t *)malloc((size_t)total);
    if (!pixels) {
      err = JXR_GLUE_NO_MEMORY;
      goto Cleanup;
    }
    Call(dec->Copy(dec, &rect, pixels, (U32)stride));
    if (swap_rb == 1) {
      for (uint64_t i = 0; i < total; i += 3) {
        uint8_t t = pixels[i];
        pixels[i] = pixels[i + 2];
        pixels[i + 2] = t;
      }
    } else if (swap_rb == 2) {
      uint16_t *p = (uint16_t *)pixels;
      uint64_t n = total / 2;
      for (uint64_t i = 0; i < n; i += 3) {
        uint16_t t = p[i];
        p[i] = p[i + 2];
        p[i + 2] = t;
      }
    }
  }
  result.pixels = pixels;
  pixels = NULL;

Cleanup:
  if (dec) {
    dec->fStreamOwner = 0;
    dec->Release(&dec);
  }
  if (stream) stream->Close(&stream);
  free(pixels);
  return err;
}
