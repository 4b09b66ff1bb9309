func.func private @f() attributes {hdp.cfg = #hdp.config<ratio = 0.5>}
