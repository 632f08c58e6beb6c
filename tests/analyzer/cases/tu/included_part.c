/* Included by include_c.c, never compiled alone. */
static int common_helper(void)
{
	return 7;
}

int common_init(void)
{
	return common_helper();
}
