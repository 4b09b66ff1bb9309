func.func private @f() attributes {hdp.cfg = #hdp.config<approx = yes>}
