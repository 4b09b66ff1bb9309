func.func private @f() attributes {hdp.cfg = #hdp.config<scale = 5.0e38>}
