/* Walking a docroot: the pages of a site as files (registry import, scan). */
#ifndef DISCLOSURE_DOCROOT_H
#define DISCLOSURE_DOCROOT_H

/* *.html, *.htm, *.shtml (any case). */
int docroot_is_page(const char *name);

/* Called for each page: file is its path on disk, rel its path inside the
 * docroot ("zwgk/a.html"). A non-zero return stops the walk and is returned. */
typedef int docroot_fn(void *baton, const char *file, const char *rel);

/* Every page under dir, depth first, in byte order of names. Hidden entries (.git, .svn) and symbolic
 * links to directories are left out: neither is part of the site, and links
 * could loop. -1 when dir cannot be read (said on stderr). */
int docroot_walk(const char *dir, docroot_fn *fn, void *baton);

#endif
