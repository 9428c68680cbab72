/**
 * @file cli_util.c
 * @brief Shared helpers of the `fbnn` subcommands (see cli_util.h).
 */
#include "cli_util.h"

#include <stdarg.h>
#include <string.h>

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

int fbnn_cli_load_model(const char *path, fbnn_model **model)
{
    fbnn_error err;
    if (fbnn_model_load_file(path, model, &err) != FBNN_OK)
        return fbnn_cli_error(err.status == FBNN_ERR_NOMEM ? FBNN_EXIT_NOMEM : FBNN_EXIT_INPUT, "%s: %s: %s", path,
                              fbnn_status_str(err.status), err.message);
    return FBNN_EXIT_OK;
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

int fbnn_cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}
