/**
 * @file cli_util.c
 * @brief Shared helpers of the `fbnn` subcommands (see cli_util.h).
 */
#define _POSIX_C_SOURCE 199309L
#include "cli_util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- errors */
int fbnn_cli_error(int code, const char *fmt, ...)
{
    va_list ap;
    fputs("fbnn: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

int fbnn_cli_missing(const char *cmd, const char *what, void (*help)(FILE *))
{
    fbnn_cli_error(FBNN_EXIT_USAGE, "%s: missing argument %s", cmd, what);
    if (help) help(stderr);
    return FBNN_EXIT_USAGE;
}

/* --------------------------------------------------------------- options */
int fbnn_cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int fbnn_cli_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    char *end;
    unsigned long v;
    if (!s || !*s || *s == '-') return -1;
    v = strtoul(s, &end, 10);
    if (*end || v < 1 || v > max) return -1;
    *out = (uint32_t)v;
    return 0;
}

/* ------------------------------------------------------- models and data */
/* Statuses whose loader messages state the problem on their own (see
 * src/model_loader.c): the status string would only repeat it. The others
 * (header, tensor, value, op, shape, graph, meta) have field-level messages
 * that need the status to say what kind of defect it is. */
static int message_is_complete(fbnn_status s)
{
    switch (s) {
    case FBNN_ERR_IO:
    case FBNN_ERR_NOMEM:
    case FBNN_ERR_TRUNCATED:
    case FBNN_ERR_MAGIC:
    case FBNN_ERR_VERSION:
    case FBNN_ERR_CHECKSUM:
    case FBNN_ERR_LIMIT:
    case FBNN_ERR_UNSUPPORTED:
        return 1;
    default:
        return 0;
    }
}

int fbnn_cli_load_model(const char *path, fbnn_model **model)
{
    fbnn_error err;
    size_t n = strlen(path);
    int code;
    if (fbnn_model_load_file(path, model, &err) == FBNN_OK) return FBNN_EXIT_OK;
    code = err.status == FBNN_ERR_NOMEM ? FBNN_EXIT_NOMEM : FBNN_EXIT_INPUT;
    if (strncmp(err.message, path, n) == 0 && err.message[n] == ':')
        return fbnn_cli_error(code, "%s", err.message); /* "PATH: cannot open: <OS reason>" */
    if (message_is_complete(err.status)) return fbnn_cli_error(code, "%s: %s", path, err.message);
    return fbnn_cli_error(code, "%s: %s: %s", path, fbnn_status_str(err.status), err.message);
}

int fbnn_cli_load_dataset(const char *images, const char *labels, const fbnn_model_info *info, fbnn_dataset *ds)
{
    char err[256];
    int s;
    memset(ds, 0, sizeof *ds);
    s = labels ? fbnn_dataset_load_idx(images, labels, ds, err, sizeof err)
               : fbnn_dataset_load_cifar10(images, ds, err, sizeof err);
    if (s != 0) {
        fbnn_dataset_free(ds);
        return fbnn_cli_error(FBNN_EXIT_INPUT, "%s", err);
    }
    if (ds->channels != info->input_channels || ds->height != info->input_height || ds->width != info->input_width) {
        int rc = fbnn_cli_error(FBNN_EXIT_INPUT, "dataset images are %ux%ux%u but the model takes %ux%ux%u",
                                ds->channels, ds->height, ds->width, info->input_channels, info->input_height,
                                info->input_width);
        fbnn_dataset_free(ds);
        return rc;
    }
    return FBNN_EXIT_OK;
}

/* ----------------------------------------------------- timing and output */
double fbnn_cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double fbnn_cli_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void fbnn_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch == '\t')
            fputs("\\t", f);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

/* See cli_util.h. */
uint64_t fbnn_cli_thr_channels(const fbnn_layer_info *l)
{
    const uint64_t words = ((uint64_t)l->in_c + 31u) / 32u;
    const uint64_t taps = strcmp(l->op_name, "bfc_thr") == 0 ? (uint64_t)l->in_h * l->in_w
                                                               : (uint64_t)l->k * (uint64_t)l->k;
    uint32_t b;
    for (b = 1; b <= 4; b++)
        if (l->out_c % b == 0 &&
            (uint64_t)(l->out_c / b) * (taps * words * 4u + (4u << b)) == (uint64_t)l->param_bytes)
            return l->out_c / b;
    return l->out_c;
}
