/**
 * Environment getters and setters. getenv() hands out pointers into an array
 * that setenv() may reallocate, so every access here goes through one
 * read/write lock and the getters copy the value out before unlocking.
 */
#define D_LOGFAC DD_FAC(gurt)

#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gurt/common.h>

static pthread_rwlock_t env_lock = PTHREAD_RWLOCK_INITIALIZER;

/* Longest value the numeric getters look at; longer ones cannot be numbers we accept. */
#define ENV_NUM_MAX 64

/* Copy the value of \a name into \a buf under the lock. */
static int
env_copy(const char *name, char *buf, size_t size)
{
	const char *val;
	size_t len;
	int rc = 0;

	if (name == NULL || buf == NULL || size == 0)
		return -DER_INVAL;

	pthread_rwlock_rdlock(&env_lock);
	val = getenv(name);
	if (val == NULL) {
		rc = -DER_NONEXIST;
		goto out;
	}
	len = strnlen(val, size);
	if (len >= size) {
		memcpy(buf, val, size - 1);
		buf[size - 1] = '\0';
		rc = -DER_TRUNC;
	} else {
		memcpy(buf, val, len + 1);
	}
out:
	pthread_rwlock_unlock(&env_lock);
	return rc;
}

int
d_getenv_str(char *str, size_t str_size, const char *name)
{
	return env_copy(name, str, str_size);
}

int
d_agetenv_str(char **str, const char *name)
{
	const char *val;
	int rc = 0;

	if (str == NULL || name == NULL)
		return -DER_INVAL;
	*str = NULL;

	pthread_rwlock_rdlock(&env_lock);
	val = getenv(name);
	if (val == NULL)
		rc = -DER_NONEXIST;
	else if ((*str = strdup(val)) == NULL)
		rc = -DER_NOMEM;
	pthread_rwlock_unlock(&env_lock);
	return rc;
}

void
d_freeenv_str(char **str)
{
	if (str == NULL)
		return;
	D_FREE(*str);
}

/* Parse an unsigned number: decimal or 0x hex, whole string, at most \a max. */
static int
parse_u64(const char *name, const char *s, uint64_t max, uint64_t *out)
{
	const char *digits = s;
	char *end;
	int base = 10;
	unsigned long long v;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		digits = s + 2;
	}
	/* strtoull would accept blanks, a sign, or a second "0x": check every character. */
	if (digits[0] == '\0')
		goto bad;
	for (end = (char *)digits; *end != '\0'; end++)
		if (base == 16 ? !isxdigit((unsigned char)*end) : !isdigit((unsigned char)*end))
			goto bad;
	errno = 0;
	v = strtoull(digits, &end, base);
	if (errno != 0 || *end != '\0' || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	D_ERROR("environment variable %s='%s' is not a number in [0, %" PRIu64 "]", name, s, max);
	return -DER_INVAL;
}

static int
getenv_u64(const char *name, uint64_t max, uint64_t *out)
{
	char buf[ENV_NUM_MAX];
	int rc;

	rc = env_copy(name, buf, sizeof(buf));
	if (rc == -DER_TRUNC) {
		D_ERROR("environment variable %s is too long to be a number", name);
		return -DER_INVAL;
	}
	if (rc != 0)
		return rc;
	return parse_u64(name, buf, max, out);
}

int
d_getenv_uint64_t(const char *name, uint64_t *uint64_val)
{
	uint64_t v;
	int rc;

	if (uint64_val == NULL)
		return -DER_INVAL;
	rc = getenv_u64(name, UINT64_MAX, &v);
	if (rc == 0)
		*uint64_val = v;
	return rc;
}

int
d_getenv_uint32_t(const char *name, uint32_t *uint32_val)
{
	uint64_t v;
	int rc;

	if (uint32_val == NULL)
		return -DER_INVAL;
	rc = getenv_u64(name, UINT32_MAX, &v);
	if (rc == 0)
		*uint32_val = (uint32_t)v;
	return rc;
}

int
d_getenv_uint(const char *name, unsigned int *uint_val)
{
	uint64_t v;
	int rc;

	if (uint_val == NULL)
		return -DER_INVAL;
	rc = getenv_u64(name, UINT_MAX, &v);
	if (rc == 0)
		*uint_val = (unsigned int)v;
	return rc;
}

int
d_getenv_int(const char *name, unsigned int *uint_val)
{
	return d_getenv_uint(name, uint_val);
}

int
d_getenv_bool(const char *name, bool *bool_val)
{
	static const char *const true_words[] = {"true", "yes", "on"};
	static const char *const false_words[] = {"false", "no", "off"};
	char buf[ENV_NUM_MAX];
	uint64_t v;
	size_t i;
	int rc;

	if (bool_val == NULL)
		return -DER_INVAL;
	rc = env_copy(name, buf, sizeof(buf));
	if (rc == -DER_TRUNC)
		goto bad;
	if (rc != 0)
		return rc;
	for (i = 0; i < ARRAY_SIZE(true_words); i++) {
		if (strcasecmp(buf, true_words[i]) == 0) {
			*bool_val = true;
			return 0;
		}
		if (strcasecmp(buf, false_words[i]) == 0) {
			*bool_val = false;
			return 0;
		}
	}
	if (isdigit((unsigned char)buf[0]) && parse_u64(name, buf, UINT64_MAX, &v) == 0) {
		*bool_val = v != 0;
		return 0;
	}
bad:
	D_ERROR("environment variable %s is not a boolean", name);
	return -DER_INVAL;
}

int
d_getenv_char(const char *name, char *char_val)
{
	char buf[2];
	int rc;

	if (char_val == NULL)
		return -DER_INVAL;
	rc = env_copy(name, buf, sizeof(buf));
	if (rc == 0 && buf[0] == '\0')
		rc = -DER_TRUNC;
	if (rc == -DER_TRUNC) {
		D_ERROR("environment variable %s is not a single character", name);
		return -DER_INVAL;
	}
	if (rc == 0)
		*char_val = buf[0];
	return rc;
}

bool
d_isenv_def(const char *name)
{
	bool set;

	if (name == NULL)
		return false;
	pthread_rwlock_rdlock(&env_lock);
	set = getenv(name) != NULL;
	pthread_rwlock_unlock(&env_lock);
	return set;
}

int
d_setenv(const char *name, const char *value, int overwrite)
{
	int rc;

	if (name == NULL || value == NULL)
		return -DER_INVAL;
	pthread_rwlock_wrlock(&env_lock);
	rc = setenv(name, value, overwrite);
	if (rc != 0)
		rc = d_errno2der(errno);
	pthread_rwlock_unlock(&env_lock);
	return rc;
}

int
d_unsetenv(const char *name)
{
	int rc;

	if (name == NULL)
		return -DER_INVAL;
	pthread_rwlock_wrlock(&env_lock);
	rc = unsetenv(name);
	if (rc != 0)
		rc = d_errno2der(errno);
	pthread_rwlock_unlock(&env_lock);
	return rc;
}

int
d_putenv(char *name)
{
	int rc;

	if (name == NULL || strchr(name, '=') == NULL)
		return -DER_INVAL;
	pthread_rwlock_wrlock(&env_lock);
	rc = putenv(name);
	if (rc != 0)
		rc = d_errno2der(errno);
	pthread_rwlock_unlock(&env_lock);
	return rc;
}

int
d_clearenv(void)
{
	int rc;

	pthread_rwlock_wrlock(&env_lock);
	rc = clearenv();
	if (rc != 0)
		rc = -DER_MISC;
	pthread_rwlock_unlock(&env_lock);
	return rc;
}
