/**
 * @file fracbnn.h
 * @brief libfracbnn public API: load a .fbnn model, plan a context, classify.
 *
 * Five-minute tour:
 * @code
 *   fbnn_model *m; fbnn_context *ctx; fbnn_error err;
 *   if (fbnn_model_load_file("cifar10_fracbnn.fbnn", &m, &err) != FBNN_OK)
 *       fprintf(stderr, "%s\n", err.message);
 *   fbnn_context_create(m, &ctx);           // all inference memory, once
 *   fbnn_run(ctx, image_chw_u8, size);      // no allocation in here
 *   fbnn_class_score top[5];
 *   fbnn_topk(ctx, 5, top);                 // labels + softmax probabilities
 *   fbnn_context_free(ctx); fbnn_model_free(m);
 * @endcode
 *
 * Threading: a model is immutable after loading and may be shared by any
 * number of threads; each thread uses its own context. There is no global
 * mutable state. The library never calls exit() or abort().
 */
#ifndef FRACBNN_H
#define FRACBNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @name Version
 * Semantic version of the library. CMakeLists.txt reads its project version
 * from these lines, so the header, the package config, fracbnn.pc and the
 * shared library's VERSION can never disagree.
 * @{
 */
#define FBNN_VERSION_MAJOR 0  /**< incompatible API or format changes */
#define FBNN_VERSION_MINOR 1  /**< compatible additions */
#define FBNN_VERSION_PATCH 0  /**< fixes */
#define FBNN_VERSION_STRING "0.1.0" /**< "MAJOR.MINOR.PATCH" */
/** One integer for `#if` comparisons: MAJOR*10000 + MINOR*100 + PATCH. */
#define FBNN_VERSION_NUMBER (FBNN_VERSION_MAJOR * 10000 + FBNN_VERSION_MINOR * 100 + FBNN_VERSION_PATCH)
/** @} */

/**
 * Version of the library actually linked (FBNN_VERSION_STRING of the build
 * that produced it); compare with FBNN_VERSION_STRING to detect a program
 * compiled against other headers than the shared library it runs with.
 */
const char *fbnn_version(void);

/** Status codes. 0 is success; every error has its own message via fbnn_status_str(). */
typedef enum fbnn_status {
    FBNN_OK = 0,
    FBNN_ERR_ARG,           /**< NULL pointer or argument out of range */
    FBNN_ERR_NOMEM,         /**< allocation failed */
    FBNN_ERR_IO,            /**< file could not be opened or read */
    FBNN_ERR_TRUNCATED,     /**< model shorter than its header or its declared size */
    FBNN_ERR_MAGIC,         /**< not a .fbnn file */
    FBNN_ERR_VERSION,       /**< unsupported format major version */
    FBNN_ERR_CHECKSUM,      /**< CRC-32 mismatch: the file is corrupt */
    FBNN_ERR_HEADER,        /**< header field, table offset/size or overlap invalid */
    FBNN_ERR_TENSOR,        /**< tensor table entry invalid (dtype, dims, bounds, padding bits) */
    FBNN_ERR_VALUE,         /**< value table entry invalid (kind, dims) */
    FBNN_ERR_OP,            /**< op entry invalid (type, counts, indices, attributes) */
    FBNN_ERR_SHAPE,         /**< shapes or kinds do not fit the op */
    FBNN_ERR_GRAPH,         /**< graph invalid (use before definition, redefinition, output) */
    FBNN_ERR_META,          /**< meta block, labels or name invalid */
    FBNN_ERR_ALIGNMENT,     /**< in-place model buffer not 4-byte aligned */
    FBNN_ERR_UNSUPPORTED,   /**< valid but not supported on this host (e.g. big-endian) */
    FBNN_ERR_BUFFER_SIZE,   /**< caller buffer has the wrong size */
    FBNN_ERR_INPUT,         /**< input image does not match the model input */
    FBNN_ERR_LIMIT          /**< needs more memory than the caller's fbnn_load_options allow */
} fbnn_status;

/** Static English description of a status; never NULL. */
const char *fbnn_status_str(fbnn_status status);

/** Detailed error report of a failed call: which field or op is wrong. */
typedef struct fbnn_error {
    fbnn_status status;  /**< the status the call returned */
    char message[256];   /**< one NUL-terminated English line naming the defect */
} fbnn_error;

typedef struct fbnn_model fbnn_model;     /**< opaque, immutable after load */
typedef struct fbnn_context fbnn_context; /**< opaque, one per thread */

/**
 * Load and fully validate a model file. The file is read into one 64-byte
 * aligned buffer owned by the model.
 * @param path  file name
 * @param out   receives the model on success, NULL on failure
 * @param err   optional (may be NULL): status and a message naming the defect
 */
fbnn_status fbnn_model_load_file(const char *path, fbnn_model **out, fbnn_error *err);

/**
 * Validate and use a model that is already in memory (ROM, mmap, a static
 * array) without copying its weights. The buffer must stay valid and
 * unchanged until fbnn_model_free(); it must be 4-byte aligned (64 is best)
 * and the host little-endian. Only a small descriptor is allocated.
 */
fbnn_status fbnn_model_load_memory(const void *data, size_t size, fbnn_model **out,
                                   fbnn_error *err);

/**
 * Caller-set memory caps for loading (fbnn_model_load_file_ex(),
 * fbnn_model_load_memory_ex()). A field of 0 means "no cap". A model over a
 * cap fails with FBNN_ERR_LIMIT BEFORE the memory is allocated: the file
 * size is checked before the file is read, the context size (planned from
 * the validated graph, see fbnn_context_size_for()) before any context
 * exists.
 */
typedef struct fbnn_load_options {
    size_t max_model_bytes;   /**< cap on the model file / buffer size */
    size_t max_context_bytes; /**< cap on fbnn_context_size_for() of the model */
} fbnn_load_options;

/** fbnn_model_load_file() with caps (`options` may be NULL: no caps). */
fbnn_status fbnn_model_load_file_ex(const char *path, const fbnn_load_options *options,
                                    fbnn_model **out, fbnn_error *err);

/** fbnn_model_load_memory() with caps (`options` may be NULL: no caps). */
fbnn_status fbnn_model_load_memory_ex(const void *data, size_t size,
                                      const fbnn_load_options *options, fbnn_model **out,
                                      fbnn_error *err);

/** Free a model (NULL is allowed). Contexts made from it must be freed first.
 *  For a model from fbnn_model_load_static() this does nothing (the memory is the caller's). */
void fbnn_model_free(fbnn_model *model);

/**
 * Bytes of caller memory fbnn_model_load_static() needs for this model: the
 * model descriptor, the per-tensor/value/op tables, the label table and the
 * loader's scratch (an upper bound computed from the header's counts).
 * @param data  the model bytes (as for fbnn_model_load_memory())
 * @param size  their number
 * @return the size in bytes, or 0 if the header is unreadable (the load then
 *         reports the precise defect)
 */
size_t fbnn_model_static_size(const void *data, size_t size);

/**
 * fbnn_model_load_memory() without any heap use: the descriptor, its tables
 * and the loader's scratch are placed in `memory` (any alignment; 16 bytes
 * of it may be skipped to align). Together with fbnn_context_init() this runs
 * a model from ROM with no malloc at all (see examples/embed_rom.c). The
 * model bytes and `memory` must stay valid and unchanged while the model is
 * used; fbnn_model_free() on the result is allowed and does nothing.
 * @param data         the model bytes, 4-byte aligned, not copied
 * @param size         their number
 * @param memory       caller memory for the descriptor
 * @param memory_size  its size; at least fbnn_model_static_size(data, size),
 *                     else FBNN_ERR_BUFFER_SIZE with the needed size in the message
 * @param out          receives the model on success, NULL on failure
 * @param err          optional (may be NULL): status and message
 * @return FBNN_OK or the same errors as fbnn_model_load_memory(), plus FBNN_ERR_BUFFER_SIZE
 */
fbnn_status fbnn_model_load_static(const void *data, size_t size, void *memory, size_t memory_size,
                                   fbnn_model **out, fbnn_error *err);

/** Input pixel layout: always 8-bit planar [C][H][W], C = 1 (grey) or 3 (R, G, B). */
typedef struct fbnn_model_info {
    uint32_t input_channels;   /**< C of the U8 input */
    uint32_t input_height;     /**< H */
    uint32_t input_width;      /**< W */
    uint32_t therm_resolution; /**< thermometer R of the first op (0 if none) */
    uint32_t therm_bits;       /**< thermometer bits per colour B (0 if none) */
    uint32_t num_classes;      /**< length of the logits */
    uint32_t num_ops;          /**< ops in the graph */
    uint32_t resize_mode;      /**< 0 = shorter side + centre crop, 1 = stretch, 2 = shorter side to 8/7 of the input + centre crop (ImageNet 256/224) */
    uint32_t invert;           /**< 1 if the model expects 255 - p */
    size_t file_bytes;         /**< size of the model file */
    size_t weight_bytes;       /**< bytes of constant tensors */
    size_t context_bytes;      /**< bytes a context needs (fbnn_context_size_for()) */
    const char *name;          /**< model name, owned by the model */
} fbnn_model_info;

/** Fill `info` about `model`. */
fbnn_status fbnn_model_get_info(const fbnn_model *model, fbnn_model_info *info);

/** Heap bytes the loader added beside the model for faster kernels, each a
 *  second copy of some weights in the layout a SIMD kernel reads: column
 *  panels of float FC weights of 256 KiB or more (16 outputs per panel; the
 *  ImageNet head: 4 MB), and the weights of binary and PG convs in blocks of
 *  16 output channels (word t of the 16 channels side by side; the ImageNet
 *  network: about 3.5 MB). 0 for fbnn_model_load_static() models, and 0
 *  when the process forces the reference kernels at load time
 *  (FBNN_FORCE_SCALAR=1 or FBNN_ISA=scalar): the copies follow the kernel
 *  set a new context takes. */
size_t fbnn_model_panel_bytes(const fbnn_model *model);

/** Label of class `index`, or NULL if out of range. Owned by the model. */
const char *fbnn_model_label(const fbnn_model *model, uint32_t index);

/** Per-op description for listings (`fbnn info`). */
typedef struct fbnn_layer_info {
    const char *op_name;     /**< e.g. "pgconv" */
    uint32_t in_kind;        /**< 1 = u8, 2 = real, 3 = bits, 4 = q2 (first input) */
    uint32_t in_c;           /**< channels of the first input */
    uint32_t in_h;           /**< height of the first input */
    uint32_t in_w;           /**< width of the first input */
    uint32_t out_kind;       /**< kind of the output (same codes as in_kind) */
    uint32_t out_c;          /**< output channels */
    uint32_t out_h;          /**< output height */
    uint32_t out_w;          /**< output width */
    int32_t k;               /**< conv/pool kernel size (0 if n/a) */
    int32_t stride;          /**< conv/pool stride (0 if n/a) */
    int32_t pad;             /**< conv/pool zero padding (0 if n/a) */
    size_t param_bytes;      /**< bytes of the op's constant tensors */
} fbnn_layer_info;

/** Describe op `index` (0 .. num_ops-1). */
fbnn_status fbnn_model_layer(const fbnn_model *model, uint32_t index, fbnn_layer_info *info);

/** Bytes of memory a context for `model` needs (descriptor + activation arena). */
size_t fbnn_context_size_for(const fbnn_model *model);

/**
 * Create a context: all memory for inference is allocated here, once; the
 * activation arena is planned by liveness so buffers are reused.
 */
fbnn_status fbnn_context_create(const fbnn_model *model, fbnn_context **out);

/**
 * Same, in caller-owned memory of at least fbnn_context_size_for() bytes,
 * aligned to 64 (for systems without a heap). Do not call
 * fbnn_context_free() on it; just stop using the memory.
 */
fbnn_status fbnn_context_init(const fbnn_model *model, void *memory, size_t size,
                              fbnn_context **out);

/** Free a context made by fbnn_context_create() (NULL is allowed). */
void fbnn_context_free(fbnn_context *ctx);

/**
 * Run the network on one image: 8-bit planar [C][H][W] (for RGB: all R,
 * then all G, then all B; rows top to bottom), exactly the model's input
 * size (`size` == C*H*W). No allocation. Results stay in the context.
 */
fbnn_status fbnn_run(fbnn_context *ctx, const uint8_t *image, size_t size);

/** Logits of the last run (num_classes floats, owned by the context), or NULL. */
const float *fbnn_logits(const fbnn_context *ctx, uint32_t *num_classes);

/** One entry of a top-k list. */
typedef struct fbnn_class_score {
    uint32_t index;      /**< class index */
    const char *label;   /**< class label (owned by the model) */
    float logit;         /**< raw logit */
    float probability;   /**< softmax probability over all classes */
} fbnn_class_score;

/**
 * Best `k` classes of the last run, best first (ties: lower index first),
 * with softmax probabilities (computed in double, stable). k is clamped to
 * num_classes; `out` must hold k entries.
 */
fbnn_status fbnn_topk(const fbnn_context *ctx, uint32_t k, fbnn_class_score *out);

/** Statistics of the last run: PG positions computed at full precision. */
typedef struct fbnn_run_stats {
    uint64_t pg_positions;   /**< output positions of all PG convs */
    uint64_t pg_gated;       /**< of those, where the LSB conv ran */
} fbnn_run_stats;

/** Fill `stats` for the last run. */
fbnn_status fbnn_last_run_stats(const fbnn_context *ctx, fbnn_run_stats *stats);

/**
 * Instruction-set variants of the kernels. Every variant gives bit-identical
 * results; they differ only in speed. The best one the CPU supports is chosen
 * when a context is created; FBNN_ISA=NAME in the environment (or
 * FBNN_FORCE_SCALAR=1) overrides that choice, fbnn_context_set_isa() too.
 */
typedef enum fbnn_isa {
    FBNN_ISA_AUTO = 0,  /**< the best variant this CPU supports ("auto") */
    FBNN_ISA_SCALAR,    /**< portable reference kernels ("scalar") */
    FBNN_ISA_POPCNT,    /**< reference kernels with the x86 POPCNT instruction ("popcnt") */
    FBNN_ISA_AVX2,      /**< x86 AVX2 ("avx2") */
    FBNN_ISA_AVX512,    /**< x86 AVX-512, with VPOPCNTDQ when present ("avx512") */
    FBNN_ISA_AVX512BW,  /**< x86 AVX-512BW without VPOPCNTDQ ("avx512bw") */
    FBNN_ISA_NEON,      /**< AArch64 Advanced SIMD ("neon") */
    FBNN_ISA_SWAR       /**< portable byte-counter popcounts, for cores without a popcount
                             instruction such as Arm Cortex-M (USAD8 with the DSP extension) ("swar") */
} fbnn_isa;
/** Number of fbnn_isa values (FBNN_ISA_AUTO included): valid values are
 *  0 .. FBNN_ISA_COUNT - 1. A new ISA goes last in the enum and raises this. */
#define FBNN_ISA_COUNT 8

/**
 * Use the kernels of `isa` in this context from the next run on.
 * Returns FBNN_ERR_UNSUPPORTED (context unchanged) if this CPU or this build
 * of the library lacks it, FBNN_ERR_ARG for an unknown value.
 */
fbnn_status fbnn_context_set_isa(fbnn_context *ctx, fbnn_isa isa);

/**
 * Name of the kernel variant set the context uses: "scalar", "popcnt",
 * "avx2", "avx512-vpopcntdq", "avx512bw", "neon" or "swar" (NULL for a NULL context).
 */
const char *fbnn_context_isa(const fbnn_context *ctx);

/**
 * @name Threads and batches
 * A context may use N threads: fbnn_run() splits every convolution by
 * output rows over them, fbnn_run_batch() gives each thread whole
 * images. Results are bit-identical for every N (each output value is
 * computed by the same code; only who computes it changes).
 * @{
 */

/**
 * Use `n_threads` threads (1 = the calling thread only, the default) in
 * this context. The worker pool (n_threads - 1 pthreads) and one extra
 * activation arena per extra thread are allocated on the heap at the first
 * run that needs them and freed by fbnn_context_free(); changing the count
 * frees them. Only contexts from fbnn_context_create() can use more than one
 * thread: a context in caller memory (fbnn_context_init()) never touches the
 * heap and returns FBNN_ERR_UNSUPPORTED for n_threads > 1, as does a build
 * without threads (FBNN_THREADS=OFF).
 * @param ctx       the context to configure
 * @param n_threads 1 .. 256
 */
fbnn_status fbnn_context_set_threads(fbnn_context *ctx, uint32_t n_threads);

/** Threads the context uses (1 if NULL). */
uint32_t fbnn_context_threads(const fbnn_context *ctx);

/**
 * Bytes a context of `model` occupies with `n_threads` threads: the
 * fbnn_context_size_for() block plus one more such block per extra thread
 * (their arenas), plus the pool descriptor. Thread stacks (the system
 * default size, mostly untouched) are not included. Independent of the
 * batch size: a batch only needs the caller's logits buffer.
 */
size_t fbnn_context_size_for_threads(const fbnn_model *model, uint32_t n_threads);

/**
 * Run `n` images in one call: `images` holds n consecutive inputs of
 * `image_size` bytes each (the layout of fbnn_run()), `logits` receives
 * n * num_classes floats, image i at logits + i * num_classes. With N > 1
 * threads each thread runs whole images in its own arena (one arena per
 * thread, planned like the context's); with one thread (or n == 1) the
 * images run one after another (a single image uses the threads inside its
 * layers). Afterwards fbnn_last_run_stats() holds the sum over the batch
 * and fbnn_logits()/fbnn_topk() have no result (they refer to no image).
 * The op hook is not called. n == 0 is allowed and does nothing.
 */
fbnn_status fbnn_run_batch(fbnn_context *ctx, const uint8_t *images, size_t image_size, size_t n,
                           float *logits);

/** @} */

/** What an op hook is told: called before and after every op of fbnn_run(). */
typedef struct fbnn_op_event {
    uint32_t op_index;     /**< index of the op in the model (see fbnn_model_layer()) */
    int end;               /**< 0 = about to run, 1 = finished */
    uint64_t pg_gated;     /**< end of a PG conv: positions where the LSB conv ran, else 0 */
    uint64_t pg_positions; /**< end of a PG conv: its output positions, else 0 */
    int fused;             /**< 1 = this op ran inside a fused elementwise chain (or a
                                quantising average pool: QUANT_UNIFORM + AVGPOOL) that
                                started at an earlier op (whose events carry the time);
                                its begin and end events come back to back */
} fbnn_op_event;

/**
 * Fused elementwise chains on (1, the default) or off (0). With fusion, the
 * optimised kernel sets run a run of AFFINE / RPRELU / ADD ops ending in
 * QUANT2 (the epilogue between two convolutions) as one pass that writes
 * the packed 2-bit planes directly, and a QUANT_UNIFORM read only by the
 * AVGPOOL after it as one quantising pool; the results are bit-identical either
 * way (tests/test_model_isa_*), off only gives per-op timings. The scalar
 * set never fuses.
 */
fbnn_status fbnn_context_set_fusion(fbnn_context *ctx, int enabled);

/** Op hook: profiling (`fbnn bench` times layers with it) or tracing. */
typedef void (*fbnn_op_hook)(void *user, const fbnn_op_event *event);

/**
 * Install (or remove, with hook = NULL) a hook that fbnn_run() calls in the
 * calling thread before and after every op. The library itself never reads
 * a clock; the hook does. fbnn_run_batch() does not call it.
 */
fbnn_status fbnn_context_set_op_hook(fbnn_context *ctx, fbnn_op_hook hook, void *user);

#ifdef __cplusplus
}
#endif

#endif /* FRACBNN_H */
