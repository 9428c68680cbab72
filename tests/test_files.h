/**
 * @file test_files.h
 * @brief Whole-file reading shared by the C tests (models, CIFAR batches, golden logits).
 */
#ifndef FBNN_TEST_FILES_H
#define FBNN_TEST_FILES_H

#include <stddef.h>
#include <stdint.h>

/** Read all of `path` into a malloc'ed buffer (64 spare bytes at the end, so
 *  callers may align a view inside it); *n receives the length. NULL if the
 *  file cannot be opened, sized or read, or is empty. */
uint8_t *fbnn_test_read_file(const char *path, size_t *n);

#endif /* FBNN_TEST_FILES_H */
