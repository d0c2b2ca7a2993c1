# SPDX-License-Identifier: GPL-2.0
# mdp-x: the mdp policy's policy.conf (scripts/selinux/mdp, -m), with what
# it lacks for selinux.sh's differential test: rules for every decision
# that has no rule in mdp or in the reference policy.  Two types and a
# role more, a user of a narrower range, type_change, type_member, named
# type transitions (one name with a '+'), a process type transition, a
# role transition, range transitions to s1 (the reference policy has s0
# only), and validatetrans and mlsvalidatetrans rules (neither policy has
# any) on file, dir and chr_file that some transitions fail; a boolean,
# xb, with conditional rules, for boolean commits under mdp-x.
#
#   awk -f selinux-mdpx.awk policy.conf > mdp-x.conf
$0 == "type base_t;" {
	print; print "type x_t;"; print "type y_t;"; next
}
$0 == "role base_r types { base_t };" {
	print
	print "role base_r types { x_t y_t };"
	print "role x_r;"
	print "role x_r types { base_t x_t y_t };"
	print "type_change base_t x_t:file y_t;"
	print "type_change x_t base_t:chr_file x_t;"
	print "type_member base_t x_t:dir y_t;"
	print "type_transition base_t x_t:file y_t \"named\";"
	print "type_transition base_t x_t:dir x_t \"lost+found\";"
	print "type_transition base_t x_t:process y_t;"
	print "role_transition base_r x_t:process x_r;"
	print "range_transition base_t x_t:process s1;"
	print "range_transition base_t y_t:process s0 - s1:c0;"
	print "bool xb false;"
	print "if (xb) {"
	print "	type_transition base_t y_t:file x_t;"
	print "	allow x_t y_t:file read;"
	print "} else {"
	print "	allow x_t y_t:file write;"
	print "}"
	next
}
/^policycap / && !mls_done {
	print "mlsvalidatetrans file ( l1 eq l2 or t3 == base_t );"
	print "mlsvalidatetrans dir ( h1 dom h2 or t3 == x_t );"
	mls_done = 1
}
/^user user_u / {
	print
	print "user vt_u roles { base_r x_r } level s0 range s0 - s1:c0;"
	print "validatetrans file ( u1 == u2 or t3 == base_t );"
	print "validatetrans chr_file ( r1 == r2 and t1 != y_t );"
	print "validatetrans dir ( t2 == x_t or u3 == vt_u );"
	next
}
{ print }
