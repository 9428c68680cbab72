/* Read-only queries on a validated model (fbnn_model_get_info, labels, layers). */
#include <string.h>

#include "model_internal.h"
#include "ops.h"

fbnn_status fbnn_model_get_info(const fbnn_model *model, fbnn_model_info *info)
{
    const fbnn_value_desc *in;
    uint32_t i;
    if (!model || !info) return FBNN_ERR_ARG;
    memset(info, 0, sizeof *info);
    in = &model->values[model->input_value];
    info->input_channels = in->c;
    info->input_height = in->h;
    info->input_width = in->w;
    for (i = 0; i < model->n_ops; i++)
        if (model->ops[i].type == FBNN_OP_THERMOMETER && model->ops[i].in[0] == model->input_value) {
            info->therm_resolution = (uint32_t)model->ops[i].attr[0];
            info->therm_bits = (uint32_t)model->ops[i].attr[1];
            break;
        }
    info->num_classes = model->n_classes;
    info->num_ops = model->n_ops;
    info->resize_mode = model->resize_mode;
    info->invert = model->invert;
    info->file_bytes = model->size;
    info->weight_bytes = model->weight_bytes;
    info->context_bytes = fbnn_context_size_for(model);
    info->name = model->name;
    return FBNN_OK;
}

size_t fbnn_model_panel_bytes(const fbnn_model *model) { return model ? model->panel_bytes : 0u; }

const char *fbnn_model_label(const fbnn_model *model, uint32_t index)
{
    if (!model || index >= model->n_classes) return NULL;
    return model->labels[index];
}

fbnn_status fbnn_model_layer(const fbnn_model *model, uint32_t index, fbnn_layer_info *info)
{
    const fbnn_op_desc *op;
    const fbnn_value_desc *x, *y;
    uint32_t j, flags;
    if (!model || !info || index >= model->n_ops) return FBNN_ERR_ARG;
    memset(info, 0, sizeof *info);
    op = &model->ops[index];
    x = &model->values[op->in[0]];
    y = &model->values[op->out];
    info->op_name = fbnn_op_name(op->type);
    info->in_kind = x->kind;
    info->in_c = x->c;
    info->in_h = x->h;
    info->in_w = x->w;
    info->out_kind = y->kind;
    info->out_c = y->c;
    info->out_h = y->h;
    info->out_w = y->w;
    flags = fbnn_op_row_of(op->type)->flags;
    if (flags & FBNN_OPF_WINDOW) {
        info->k = op->attr[0];
        info->stride = op->attr[1];
    }
    if (flags & FBNN_OPF_PAD) info->pad = op->attr[2];
    for (j = 0; j < op->n_param; j++) info->param_bytes += model->tensors[op->param[j]].nbytes;
    return FBNN_OK;
}
