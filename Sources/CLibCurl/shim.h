#ifndef CUBICLE_CLIBCURL_SHIM_H
#define CUBICLE_CLIBCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt / curl_multi_setopt / curl_easy_getinfo are variadic and cannot be
   called from Swift; these typed wrappers are the only additions this shim makes. */
static inline CURLcode cubicle_curl_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cubicle_curl_easy_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cubicle_curl_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cubicle_curl_easy_setopt_write_cb(CURL *h, size_t (*cb)(char *, size_t, size_t, void *)) { return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb); }
static inline CURLcode cubicle_curl_easy_setopt_read_cb(CURL *h, size_t (*cb)(char *, size_t, size_t, void *)) { return curl_easy_setopt(h, CURLOPT_READFUNCTION, cb); }
static inline CURLcode cubicle_curl_easy_setopt_header_cb(CURL *h, size_t (*cb)(char *, size_t, size_t, void *)) { return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb); }
static inline CURLcode cubicle_curl_easy_setopt_blob(CURL *h, CURLoption o, struct curl_blob *b) { return curl_easy_setopt(h, o, b); }
static inline CURLcode cubicle_curl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode cubicle_curl_easy_getinfo_ptr(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode cubicle_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

/* Function-like and composite macros do not import into Swift; these name their values. */
enum {
    CUBICLE_CURL_GLOBAL_ALL = CURL_GLOBAL_ALL,
    CUBICLE_CURL_WRITEFUNC_PAUSE = CURL_WRITEFUNC_PAUSE,
    CUBICLE_CURLPAUSE_CONT = CURLPAUSE_CONT,
    CUBICLE_CURL_BLOB_COPY = CURL_BLOB_COPY,
    CUBICLE_CURL_ERROR_SIZE = CURL_ERROR_SIZE,
};

/* CURLMsg keeps the transfer result in a union. */
static inline CURLcode cubicle_curl_msg_result(const CURLMsg *m) { return m->data.result; }
#endif
