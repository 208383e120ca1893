/**
 * Host lists in YAML configuration files (daos_agent.yml's access_points, daos_control.yml's
 * hostlist): read by libdaos and by dmg.
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>
#include <gurt/common.h>
#include "rpc.h"

void
mgmt_hosts_free(char **hosts, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		D_FREE(hosts[i]);
	D_FREE(hosts);
}

int
mgmt_hosts_add(char ***hosts, int *nr, const char *s, size_t len, int port)
{
	char **n;
	char *h;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 0;
	if (len > 255)
		return -DER_INVAL;
	if (memchr(s, ':', len) != NULL)
		D_ASPRINTF(h, "%.*s", (int)len, s);
	else
		D_ASPRINTF(h, "%.*s:%d", (int)len, s, port);
	if (h == NULL)
		return -DER_NOMEM;
	D_REALLOC_ARRAY(n, *hosts, *nr, *nr + 1);
	if (n == NULL) {
		D_FREE(h);
		return -DER_NOMEM;
	}
	n[(*nr)++] = h;
	*hosts = n;
	return 0;
}

static int
hosts_from_node(yaml_document_t *doc, yaml_node_t *list, int port, char ***hosts, int *nr)
{
	yaml_node_item_t *it;
	int rc = 0;

	if (list->type == YAML_SCALAR_NODE)
		return mgmt_hosts_add(hosts, nr, (const char *)list->data.scalar.value,
				      list->data.scalar.length, port);
	if (list->type != YAML_SEQUENCE_NODE)
		return -DER_INVAL;
	for (it = list->data.sequence.items.start; rc == 0 && it < list->data.sequence.items.top;
	     it++) {
		yaml_node_t *h = yaml_document_get_node(doc, *it);

		if (h == NULL || h->type != YAML_SCALAR_NODE)
			return -DER_INVAL;
		rc = mgmt_hosts_add(hosts, nr, (const char *)h->data.scalar.value,
				    h->data.scalar.length, port);
	}
	return rc;
}

int
mgmt_yaml_hosts(const char *path, const char *list_key, int default_port, char ***hosts, int *nr,
		char *err, size_t err_len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *list = NULL;
	yaml_node_pair_t *p;
	int port = default_port, rc = 0;
	FILE *f;

	*hosts = NULL;
	*nr = 0;
	err[0] = '\0';
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? -DER_NONEXIST : d_errno2der(errno);
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, err_len, "%s:%lu: YAML syntax error: %s", path,
			 (unsigned long)parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "?");
		yaml_parser_delete(&parser);
		fclose(f);
		return -DER_INVAL;
	}
	root = yaml_document_get_root_node(&doc);
	for (p = root && root->type == YAML_MAPPING_NODE ? root->data.mapping.pairs.start : NULL;
	     p != NULL && p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);

		if (k == NULL || v == NULL || k->type != YAML_SCALAR_NODE)
			continue;
		if (strcmp((const char *)k->data.scalar.value, list_key) == 0)
			list = v;
		else if (strcmp((const char *)k->data.scalar.value, "port") == 0 &&
			 v->type == YAML_SCALAR_NODE)
			port = atoi((const char *)v->data.scalar.value);
	}
	if (port <= 0 || port > 65535)
		port = default_port;
	if (list != NULL)
		rc = hosts_from_node(&doc, list, port, hosts, nr);
	if (rc == -DER_INVAL)
		snprintf(err, err_len, "%s: %s must be a list of host[:port]", path, list_key);
	if (rc != 0) {
		mgmt_hosts_free(*hosts, *nr);
		*hosts = NULL;
		*nr = 0;
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}
